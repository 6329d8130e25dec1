package io.streamnode.process;

import io.streamnode.testing.Bounded;
import io.streamnode.testing.GroupView;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Two redis-adapter nodes as separate processes (sharing the Redis on 6379, with a channel and a
 * stream of this test's own): the node a client was on is killed with SIGKILL, 100 events (sends
 * among them) happen through the other, and the client, resuming there with {@code since}, gets
 * exactly those 100, as a live subscriber of the survivor got them, after {@code recovered: true}.
 */
@ExtendWith(VertxExtension.class)
class RedisResumeAfterKillTest {

  @TempDir
  Path dir;

  private static String[] args(String channel) {
    return new String[] {"--adapter.name=redis", "--adapter.config.redis_url=redis://127.0.0.1:6379",
        "--adapter.config.channel=" + channel};
  }

  private static JsonObject join(String stream, Object extra, String key) {
    JsonObject join = TestSocket.command("join", "sub", stream, "g", null);
    join.getJsonObject("data").put(key, extra);
    return join;
  }

  private static void call(NodeProcess node, String function, JsonObject input) throws Exception {
    HttpResponse<String> r = node.call(function, input.encode());
    assertEquals(2, r.statusCode() / 100, function + ": " + r.body());
  }

  @Test
  @Timeout(120)
  void aClientOfAKilledNodeResumesThroughAnotherWithExactlyTheEventsItMissed(Vertx vertx) throws Exception {
    String channel = "streamnode::test::" + UUID.randomUUID();
    String stream = "resume-kill-" + UUID.randomUUID();
    try (NodeProcess a = NodeProcess.start(dir, args(channel)); NodeProcess b = NodeProcess.start(dir, args(channel))) {
      a.awaitReady();
      b.awaitReady();
      TestSocket witness = Bounded.await(TestSocket.connect(vertx, b.wsPort), 20);
      Bounded.await(witness.send(join(stream, true, "positions")), 20);
      TestSocket client = Bounded.await(TestSocket.connect(vertx, a.wsPort), 20);
      Bounded.await(client.send(join(stream, true, "positions")), 20);
      Bounded.await(witness.frame(0), 20);
      Bounded.await(client.frame(0), 20);
      JsonObject names = new JsonObject().put("stream_name", stream).put("group_id", "g");
      for (int i = 0; i < 5; i++) {
        call(a, "stream::set", names.copy().put("item_id", "i" + i).put("data", i));
      }
      Bounded.until(20, () -> GroupView.of(client.received(), stream, "g").offset() == 5, () -> client.received().toString());
      GroupView seen = GroupView.of(client.received(), stream, "g");

      a.process().destroyForcibly().waitFor();
      Bounded.await(client.closed(), 20);
      for (int i = 0; i < 100; i++) {
        switch (i % 4) {
          case 0 -> call(b, "stream::send", names.copy().put("type", "note").put("data", i));
          case 1 -> call(b, "stream::set", names.copy().put("item_id", "t").put("data", i));
          case 2 -> call(b, "stream::delete", names.copy().put("item_id", "t"));
          default -> call(b, "stream::set", names.copy().put("item_id", "i" + (i % 5)).put("data", i));
        }
      }
      Bounded.until(20, () -> GroupView.of(witness.received(), stream, "g").offset() == 105, () -> witness.received().toString());

      TestSocket back = Bounded.await(TestSocket.connect(vertx, b.wsPort), 20);
      Bounded.await(back.send(join(stream, new JsonObject().put("epoch", seen.epoch()).put("offset", seen.offset()),
          "since")), 20);
      List<JsonObject> frames = Bounded.await(back.frames(101), 20);
      assertEquals(new JsonObject().put("type", "sync").put("recovered", true), frames.get(0).getJsonObject("event"));
      assertEquals(witness.received().subList(6, 106), frames.subList(1, 101));
      assertEquals(List.of(), GroupView.of(frames, stream, "g").violations());
      Bounded.await(back.close(), 20);
      Bounded.await(witness.close(), 20);
    }
  }
}
