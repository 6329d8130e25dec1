package io.streamnode.store.kv;

import io.streamnode.store.StreamStorage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every write a {@link FileStorage} acknowledged is there after its JVM is killed with SIGKILL. */
@ExtendWith(VertxExtension.class)
class FileStorageKillTest {

  /** Acknowledgements read before the first kill; each later round waits for twice as many, so kills land at varied points. */
  private static final int ACKS_BEFORE_KILL = 500;
  private static final String END = "<end>";

  @TempDir
  Path tmp;

  @Test
  @Timeout(value = 90, timeUnit = TimeUnit.SECONDS)
  void everyAcknowledgedWriteSurvivesKillMinus9(Vertx vertx, VertxTestContext test) throws Exception {
    Path dir = tmp.resolve("store");
    List<String> acks = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      // Three kills on the same directory: each restart recovers what the previous kill left, torn tail included.
      acks.addAll(runAndKill(dir, round, ACKS_BEFORE_KILL << round));
    }
    assertTrue(Files.exists(dir.resolve("snapshot.jsonl")), "the writers compacted at least once, so recovery read a snapshot too");
    Context context = vertx.getOrCreateContext();
    Promise<Void> checked = Promise.promise();
    context.runOnContext(v -> {
      FileStorage storage = new FileStorage(vertx, new FileStorageOptions().setFilePath(dir.toString()));
      storage.open().compose(opened -> {
        List<Future<Object>> reads = new ArrayList<>();
        for (String ack : acks) {
          String[] parts = ack.split(" ");
          reads.add(storage.get("kill", parts[1], parts[2]).andThen(read -> test.verify(() -> {
            assertNotSame(StreamStorage.ABSENT, read.result(), "acknowledged " + parts[2] + " is missing");
            assertEquals(Long.parseLong(parts[3]), ((JsonObject) read.result()).getLong("n"));
          })));
        }
        return Future.all(reads);
      }).eventually(storage::close).<Void>mapEmpty().onComplete(checked);
    });
    checked.future().onComplete(test.succeedingThenComplete());
  }

  /** Starts the writer process, reads acknowledgements until enough arrived, SIGKILLs it, and returns every ack it printed. */
  private List<String> runAndKill(Path dir, int round, int acksBeforeKill) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path stderr = tmp.resolve("writer-" + round + ".err");
    Process writer = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        FileStorageKillWriter.class.getName(), dir.toString(), "1000000", "30000", "32")
        .redirectError(stderr.toFile())
        .start();
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = in.readLine()) != null) {
          lines.add(line);
        }
      } catch (Exception e) {
        // The pipe breaks when the process is killed; what was read is in the queue.
      } finally {
        lines.add(END);
      }
    }, "kill-writer-stdout");
    reader.setDaemon(true);
    reader.start();

    List<String> acks = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    long firstAck = 0;
    boolean ended = false;
    while (acks.size() < acksBeforeKill && System.nanoTime() < deadline) {
      String line = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line == null) {
        continue;
      }
      if (line.equals(END)) {
        ended = true;
        break;
      }
      if (firstAck == 0) {
        firstAck = System.nanoTime();
      }
      acks.add(line);
    }
    long readAcks = acks.size();
    double seconds = (System.nanoTime() - firstAck) / 1e9;
    writer.destroyForcibly();
    assertTrue(writer.waitFor(10, TimeUnit.SECONDS), "the writer did not die");
    // Acks already in the pipe when the kill came were acknowledged too: they must survive as well.
    while (!ended) {
      String line = lines.poll(10, TimeUnit.SECONDS);
      if (line == null || line.equals(END)) {
        break;
      }
      acks.add(line);
    }
    assertFalse(acks.isEmpty(), "no acknowledgement before the deadline; writer stderr: " + tail(stderr));
    assertTrue(readAcks >= acksBeforeKill, "only " + readAcks + " acks; writer stderr: " + tail(stderr));
    System.out.printf("round %d: %d acks (%.0f acks/s while reading), killed with exit %d%n",
        round, acks.size(), readAcks / Math.max(seconds, 1e-9), writer.exitValue());
    return acks;
  }

  private static String tail(Path file) throws Exception {
    String text = Files.readString(file);
    return text.length() <= 2000 ? text : "..." + text.substring(text.length() - 2000);
  }
}
