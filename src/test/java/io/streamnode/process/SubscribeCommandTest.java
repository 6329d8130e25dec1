package io.streamnode.process;

import io.streamnode.StreamNode;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static io.streamnode.testing.Frames.assertGolden;
import static io.streamnode.testing.Frames.wrapper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README: {@code scripts/streamnode subscribe orders g1} prints the group's frames, the sync first,
 * one JSON per line. The command runs as its own process ({@code Main subscribe}) against a node
 * in this JVM; it ends when the node closes its socket.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SubscribeCommandTest {

  @Test
  void subscribePrintsTheSyncThenEachEventOfTheGroupOnePerLine(Vertx vertx) throws Exception {
    StreamNode node = TestNodes.start(vertx).timeout(20, TimeUnit.SECONDS).await();
    HttpFunctions http = HttpFunctions.create(vertx, node.httpPort());
    http.call("stream::set", new JsonObject("{\"stream_name\":\"orders\",\"group_id\":\"g1\",\"item_id\":\"o0\",\"data\":0}"))
        .timeout(10, TimeUnit.SECONDS).await();
    Process cli = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), "io.streamnode.Main",
        "subscribe", "orders", "g1", "--url", "ws://127.0.0.1:" + node.streamSocketPort() + "/")
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    LinkedBlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(cli.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          lines.add(line);
        }
      } catch (Exception ignored) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    try {
      assertGolden(wrapper("orders", "g1", null, "{\"type\":\"sync\",\"data\":[0]}"), line(lines));
      http.call("stream::set", new JsonObject("{\"stream_name\":\"orders\",\"group_id\":\"g1\",\"item_id\":\"o1\",\"data\":{\"status\":\"open\"}}"))
          .timeout(10, TimeUnit.SECONDS).await();
      http.call("stream::set", new JsonObject("{\"stream_name\":\"orders\",\"group_id\":\"other\",\"item_id\":\"x\",\"data\":1}"))
          .timeout(10, TimeUnit.SECONDS).await();
      http.call("stream::delete", new JsonObject("{\"stream_name\":\"orders\",\"group_id\":\"g1\",\"item_id\":\"o1\"}"))
          .timeout(10, TimeUnit.SECONDS).await();
      assertGolden(wrapper("orders", "g1", "o1", "{\"type\":\"create\",\"data\":{\"status\":\"open\"}}"), line(lines));
      // The other group's write is not printed: the delete of g1 is the very next line.
      assertGolden(wrapper("orders", "g1", "o1", "{\"type\":\"delete\",\"data\":{\"status\":\"open\"}}"), line(lines));

      http.close().otherwiseEmpty().timeout(10, TimeUnit.SECONDS).await();
      node.close().timeout(20, TimeUnit.SECONDS).await();
      assertTrue(cli.waitFor(20, TimeUnit.SECONDS), "the command ends when the node closes its socket");
      assertEquals(0, cli.exitValue());
      reader.join(5_000); // everything the process printed has been read
      assertEquals(null, lines.poll(), "nothing else printed");
    } finally {
      cli.destroyForcibly();
    }
  }

  private static JsonObject line(LinkedBlockingQueue<String> lines) throws InterruptedException {
    String line = lines.poll(20, TimeUnit.SECONDS);
    assertNotNull(line, "no line printed");
    return new JsonObject(line);
  }
}
