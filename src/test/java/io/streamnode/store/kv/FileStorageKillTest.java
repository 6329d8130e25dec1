package io.streamnode.store.kv;

import io.streamnode.store.StreamStorage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
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
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void everyAcknowledgedWriteSurvivesKillMinus9(Vertx vertx) throws Exception {
    Path dir = tmp.resolve("store");
    List<String> acks = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      // Three kills on the same directory: each restart recovers what the previous kill left, torn tail included.
      // Each round writes items and values of its own (r<round>k<n>, "round": round), and every
      // recovery is checked for every write acknowledged so far: a later round cannot rewrite
      // what an earlier recovery lost and hide it.
      acks.addAll(runAndKill(dir, round, ACKS_BEFORE_KILL << round));
      assertRecovered(vertx, dir, acks, round);
    }
    assertTrue(Files.exists(dir.resolve("snapshot.jsonl")), "the writers compacted at least once, so recovery read a snapshot too");
  }

  /** Opens the directory as a restarted node would and checks that every acknowledged write is there, with its value. */
  private static void assertRecovered(Vertx vertx, Path dir, List<String> acks, int round) {
    Promise<List<String>> checked = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      FileStorage storage = new FileStorage(vertx, new FileStorageOptions().setFilePath(dir.toString()));
      List<String> missing = new ArrayList<>();
      storage.open().compose(opened -> {
        List<Future<Object>> reads = new ArrayList<>();
        for (String ack : acks) {
          String[] parts = ack.split(" ");
          int written = Integer.parseInt(parts[2].substring(1, parts[2].indexOf('k')));
          JsonObject expected = new JsonObject().put("n", Long.parseLong(parts[3])).put("round", written);
          reads.add(storage.get("kill", parts[1], parts[2]).andThen(read -> {
            Object value = read.result();
            if (value == StreamStorage.ABSENT || !(value instanceof JsonObject json)
                || !expected.equals(new JsonObject().put("n", json.getValue("n")).put("round", json.getValue("round")))) {
              missing.add(parts[2] + " expected " + expected + " got " + value);
            }
          }));
        }
        return Future.all(reads);
      }).eventually(storage::close).map(missing).onComplete(checked);
    });
    List<String> missing = checked.future().timeout(30, TimeUnit.SECONDS).await();
    assertEquals(List.of(), missing.size() > 10 ? missing.subList(0, 10) : missing,
        missing.size() + " of " + acks.size() + " acknowledged writes wrong after recovery " + round);
  }

  /** Starts the writer process, reads acknowledgements until enough arrived, SIGKILLs it, and returns every ack it printed. */
  private List<String> runAndKill(Path dir, int round, int acksBeforeKill) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path stderr = tmp.resolve("writer-" + round + ".err");
    Process writer = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        FileStorageKillWriter.class.getName(), dir.toString(), "1000000", "30000", "32", "false", String.valueOf(round))
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
    return text.length() <= 4000 ? text : text.substring(0, 2000) + "..." + text.substring(text.length() - 2000);
  }
}
