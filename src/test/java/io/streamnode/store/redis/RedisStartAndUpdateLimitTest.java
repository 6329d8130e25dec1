package io.streamnode.store.redis;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.FreePorts;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two README promises of the redis adapter: "A node does not start if Redis is unreachable at
 * start-up (as iii)", and {@code update_attempts} bounds the compare-and-set rounds of one
 * {@code stream::update}: an item that keeps changing makes the update fail rather than retry
 * for ever.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RedisStartAndUpdateLimitTest {

  private static final long WAIT_S = 20;

  @Test
  void aNodeDoesNotStartWhileRedisIsUnreachableAndStartsOnceItAnswers(Vertx vertx) throws Exception {
    int port = FreePorts.listenPort(); // nothing listens there yet
    NodeOptions options = TwoRedisNodes.options("redis://127.0.0.1:" + port, "streamnode::test::start-" + port);
    Throwable refused = null;
    try {
      StreamNode node = TestNodes.start(vertx, options).timeout(WAIT_S, TimeUnit.SECONDS).await();
      node.close().timeout(WAIT_S, TimeUnit.SECONDS).await();
    } catch (Exception e) {
      refused = e;
    }
    assertTrue(refused != null, "a node started with Redis unreachable");
    assertTrue(String.valueOf(refused.getMessage()).contains("Redis is unreachable"), String.valueOf(refused));

    // Control: the same options start a node once a Redis answers on that port.
    RedisServerProcess redis = RedisServerProcess.startOn(port);
    try {
      StreamNode node = TestNodes.start(vertx, options).timeout(WAIT_S, TimeUnit.SECONDS).await();
      node.close().timeout(WAIT_S, TimeUnit.SECONDS).await();
    } finally {
      redis.kill();
    }
  }

  @Test
  void anUpdateWhoseItemKeepsChangingFailsAfterUpdateAttemptsRounds(Vertx vertx) throws Exception {
    String stream = TwoRedisNodes.uniqueStream("attempts");
    NodeOptions options = TwoRedisNodes.options("redis://127.0.0.1:6379", "streamnode::test::" + stream);
    options.getAdapter().getConfig().put("update_attempts", 2);
    StreamNode node = TestNodes.start(vertx, options).timeout(WAIT_S, TimeUnit.SECONDS).await();
    HttpFunctions http = HttpFunctions.create(vertx, node.httpPort());
    Redis writer = Redis.createClient(vertx, "redis://127.0.0.1:6379");
    AtomicBoolean changing = new AtomicBoolean(true);
    try {
      JsonObject update = new JsonObject().put("stream_name", stream).put("group_id", "g").put("item_id", "i")
          .put("ops", new JsonArray().add(new JsonObject().put("type", "increment").put("path", "n").put("by", 1)));
      http.call("stream::set", new JsonObject().put("stream_name", stream).put("group_id", "g").put("item_id", "i")
          .put("data", new JsonObject().put("n", 0).put("other", 0))).timeout(WAIT_S, TimeUnit.SECONDS).await();

      // Another writer changes the item's stored JSON without pause (as other nodes would), so
      // nearly every compare-and-set finds it changed since its read.
      String key = "stream:" + stream + ":g";
      for (int w = 0; w < 8; w++) {
        churn(writer, key, changing, w * 1_000_000L);
      }
      List<String> failures = new ArrayList<>();
      for (int i = 0; i < 20 && failures.isEmpty(); i++) {
        try {
          http.call("stream::update", update).timeout(WAIT_S, TimeUnit.SECONDS).await();
        } catch (IllegalStateException e) { // HttpFunctions: a non-2xx answer, status and body in the message
          failures.add(e.getMessage());
        }
      }
      assertEquals(1, failures.size(), "no update ran out of attempts while the item kept changing");
      assertTrue(failures.get(0).contains("STREAM_UPDATE_ERROR") && failures.get(0).contains("under 2 attempts"),
          failures.get(0));

      // Control: once the item stops changing, the same update succeeds.
      changing.set(false);
      Thread.sleep(100); // the churn's in-flight writes land
      http.call("stream::update", update).timeout(WAIT_S, TimeUnit.SECONDS).await();
    } finally {
      changing.set(false);
      writer.close();
      http.close().otherwiseEmpty().timeout(WAIT_S, TimeUnit.SECONDS).await();
      node.close().timeout(WAIT_S, TimeUnit.SECONDS).await();
      RedisAPI.api(Redis.createClient(vertx, "redis://127.0.0.1:6379")).del(List.of("stream:" + stream + ":g",
          "streamnode:seq:" + stream + ":g")).otherwiseEmpty().timeout(WAIT_S, TimeUnit.SECONDS).await();
    }
  }

  /** Rewrites the item with a new value after each answer, until {@code changing} is false. */
  private static void churn(Redis redis, String key, AtomicBoolean changing, long n) {
    if (!changing.get()) {
      return;
    }
    redis.send(Request.cmd(Command.HSET).arg(key).arg("i").arg(new JsonObject().put("n", 0).put("other", n).encode()))
        .onComplete(ar -> churn(redis, key, changing, n + 1));
  }
}
