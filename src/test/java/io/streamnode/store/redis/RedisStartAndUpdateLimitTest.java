package io.streamnode.store.redis;

import io.streamnode.StreamNode;
import io.streamnode.config.LimitsOptions;
import io.streamnode.config.NodeOptions;
import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionException;
import io.streamnode.store.AdapterFactory;
import io.streamnode.store.AdapterOptions;
import io.streamnode.store.PublishingStorage;
import io.streamnode.store.StoreVerticle;
import io.vertx.core.Future;
import io.streamnode.testing.FreePorts;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two README promises of the redis adapter: "A node does not start if Redis is unreachable at
 * start-up (as iii)", and {@code update_attempts} bounds the compare-and-set rounds of one
 * {@code stream::update}: an item that keeps changing makes the update fail rather than retry
 * for ever. (The second test puts the other writer's change between each read and its
 * compare-and-set, not beside them: racing a churn against the update failed to lose every round
 * on a loaded CI machine.)
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
  void anUpdateWhoseItemChangesAfterEveryReadFailsAfterUpdateAttemptsRounds(Vertx vertx) throws Exception {
    String stream = TwoRedisNodes.uniqueStream("attempts");
    AdapterOptions adapter = TwoRedisNodes.options("redis://127.0.0.1:6379", "streamnode::test::" + stream).getAdapter();
    adapter.getConfig().put("update_attempts", 2);
    PublishingStorage redis = (PublishingStorage) AdapterFactory.create(vertx, adapter);
    Redis writer = Redis.createClient(vertx, "redis://127.0.0.1:6379");
    String key = "stream:" + stream + ":g";
    // Another writer (another node, in production) changes the item between every read of an
    // update and its compare-and-set: the storage's read completes only after that write.
    AtomicBoolean changing = new AtomicBoolean(true);
    AtomicInteger reads = new AtomicInteger();
    PublishingStorage contended = (PublishingStorage) Proxy.newProxyInstance(getClass().getClassLoader(),
        new Class<?>[] {PublishingStorage.class}, (proxy, method, args) -> {
          Object result = invoke(redis, method, args);
          if (!method.getName().equals("read") || !changing.get()) {
            return result;
          }
          int n = reads.incrementAndGet();
          return ((Future<?>) result).compose(read -> writer.send(Request.cmd(Command.HSET).arg(key).arg("i")
              .arg(new JsonObject().put("n", 0).put("other", n).encode())).map(read));
        });
    StreamNode.registerCodecs(vertx);
    FunctionBus functions = new FunctionBus(vertx, 10_000);
    String deployment = vertx.deployVerticle(new StoreVerticle(contended, new LimitsOptions()))
        .timeout(WAIT_S, TimeUnit.SECONDS).await();
    try {
      JsonObject update = new JsonObject().put("stream_name", stream).put("group_id", "g").put("item_id", "i")
          .put("ops", new JsonArray().add(new JsonObject().put("type", "increment").put("path", "n").put("by", 1)));
      functions.call("stream::set", new JsonObject().put("stream_name", stream).put("group_id", "g").put("item_id", "i")
          .put("data", new JsonObject().put("n", 0).put("other", 0))).timeout(WAIT_S, TimeUnit.SECONDS).await();

      Throwable failed = functions.call("stream::update", update)
          .transform(ar -> Future.succeededFuture(ar.cause())).timeout(WAIT_S, TimeUnit.SECONDS).await();
      FunctionException error = assertInstanceOf(FunctionException.class, failed,
          "an update whose item changed after every read did not fail");
      assertEquals(ErrorCode.STREAM_UPDATE_ERROR.code(), error.code(), error.getMessage());
      assertTrue(error.getMessage().contains("under 2 attempts"), error.getMessage());
      assertEquals(2, reads.get(), "update_attempts=2 bounds the update to two read-and-compare rounds");
      assertEquals(new JsonObject().put("n", 0).put("other", 2), functions.call("stream::get",
              new JsonObject().put("stream_name", stream).put("group_id", "g").put("item_id", "i"))
          .timeout(WAIT_S, TimeUnit.SECONDS).await().value(), "the failed update wrote nothing");

      // Control: once the item stops changing, the same update succeeds at its first round.
      changing.set(false);
      Object updated = functions.call("stream::update", update).timeout(WAIT_S, TimeUnit.SECONDS).await().value();
      assertEquals(new JsonObject().put("n", 1).put("other", 2), ((JsonObject) updated).getValue("new_value"));
    } finally {
      changing.set(false);
      vertx.undeploy(deployment).otherwiseEmpty().timeout(WAIT_S, TimeUnit.SECONDS).await();
      writer.send(Request.cmd(Command.DEL).arg(key).arg("streamnode:seq:" + stream + ":g"))
          .eventually(writer::close).otherwiseEmpty().timeout(WAIT_S, TimeUnit.SECONDS).await();
    }
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
