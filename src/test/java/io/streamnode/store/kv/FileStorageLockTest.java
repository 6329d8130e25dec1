package io.streamnode.store.kv;

import io.streamnode.config.NodeOptions;
import io.streamnode.store.AdapterOptions;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README: "A lock file stops two nodes from sharing a directory." The other node is a real second
 * process (a file lock is held per process), writing to the directory while this JVM tries it.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileStorageLockTest {

  @TempDir
  Path tmp;

  @Test
  void aSecondNodeCannotOpenADirectoryAnotherProcessHoldsAndCanOnceItIsGone(Vertx vertx) throws Exception {
    Path dir = tmp.resolve("store");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process writer = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
        FileStorageKillWriter.class.getName(), dir.toString(), "1000000", "30000", "1")
        .redirectError(tmp.resolve("writer.err").toFile()).start();
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8));
      assertNotNull(out.readLine(), "the writer acknowledged nothing: " + Files.readString(tmp.resolve("writer.err")));
      assertTrue(Files.exists(dir.resolve("lock")), "the lock file");

      Throwable refused = openFails(vertx, () -> new FileStorage(vertx, new FileStorageOptions().setFilePath(dir.toString())).open());
      assertTrue(String.valueOf(refused.getMessage()).contains("is open in another process"), String.valueOf(refused));
      NodeOptions options = TestNodes.options();
      options.setAdapter(new AdapterOptions().setName("kv").setConfig(new JsonObject()
          .put("store_method", "file_based").put("file_path", dir.toString())));
      Throwable nodeRefused = openFails(vertx, () -> TestNodes.start(vertx, options).compose(node -> node.close()
          .transform(v -> Future.failedFuture(new AssertionError("a node started on a directory another process holds")))));
      assertTrue(String.valueOf(nodeRefused.getMessage()).contains("is open in another process"), String.valueOf(nodeRefused));
    } finally {
      writer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
    // Control: with the other process gone (the OS drops its lock) the same open succeeds, so
    // what refused it above was the lock.
    FileStorage storage = new FileStorage(vertx, new FileStorageOptions().setFilePath(dir.toString()));
    Promise<Void> opened = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> storage.open().compose(o -> storage.close()).onComplete(opened));
    opened.future().timeout(20, TimeUnit.SECONDS).await();
  }

  /** Runs {@code open} on a context and returns its failure; fails the test if it succeeded. */
  private static Throwable openFails(Vertx vertx, Supplier<Future<?>> open) {
    Promise<Throwable> failure = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> open.get().onComplete(ar -> failure.complete(
        ar.succeeded() ? new AssertionError("opened while another process holds the directory") : ar.cause())));
    Throwable cause = failure.future().timeout(20, TimeUnit.SECONDS).await();
    assertEquals(false, cause instanceof AssertionError, String.valueOf(cause));
    return cause;
  }
}
