package io.streamnode.store.redis;

import io.streamnode.api.Worker;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.MapStream;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * With the redis adapter, the event of a write made by a custom implementation is numbered and
 * published through Redis like a stored write's, so it reaches the subscribers of every node
 * sharing the server, and a join on the implementing node is synced from the custom list.
 */
@ExtendWith(VertxExtension.class)
// JUnit's own timeout: Vert.x's @Timeout only bounds tests that take a VertxTestContext.
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class RedisCustomImplementationTest {

  /** Every blocking wait is bounded: a frame that never comes fails the test instead of hanging the build. */
  private static final long WAIT_S = 10;

  private static final String URL = "redis://127.0.0.1:6379";

  private final TwoRedisNodes nodes = new TwoRedisNodes();
  private Worker implementation;

  @BeforeEach
  void start(Vertx vertx) {
    nodes.start(vertx, URL).timeout(WAIT_S, SECONDS).await();
    implementation = Worker.create(vertx); // on node A's Vert.x: A's custom implementation
  }

  @AfterEach
  void stop() {
    implementation.close().timeout(WAIT_S, SECONDS).await();
    nodes.close().timeout(WAIT_S, SECONDS).await();
  }

  @Test
  void aDelegatedWriteReachesSubscribersOnEveryNodeAndAJoinIsSyncedFromTheCustomList(Vertx vertx) {
    String stream = TwoRedisNodes.uniqueStream("custom");
    MapStream.register(implementation, stream, List.of("set", "list")).timeout(WAIT_S, SECONDS).await().seed("g", "seeded", 0);
    TestSocket onA = nodes.subscriber(vertx, nodes.a, stream).timeout(WAIT_S, SECONDS).await();
    TestSocket onB = nodes.subscriber(vertx, nodes.b, stream).timeout(WAIT_S, SECONDS).await();
    assertEquals(new JsonObject("{\"type\":\"sync\",\"data\":[0]}"), onA.frame(0).timeout(WAIT_S, SECONDS).await().getJsonObject("event"),
        "A syncs from its custom list");

    HttpFunctions httpA = nodes.http(vertx, nodes.a);
    HttpFunctions httpB = nodes.http(vertx, nodes.b);
    JsonObject set = new JsonObject().put("stream_name", stream).put("group_id", "g").put("item_id", "i")
        .put("data", new JsonObject().put("n", 1));
    assertEquals(new JsonObject("{\"old_value\":null,\"new_value\":{\"n\":1}}"), httpA.call("stream::set", set).timeout(WAIT_S, SECONDS).await());

    JsonObject create = new JsonObject("{\"type\":\"create\",\"data\":{\"n\":1}}");
    assertEquals(create, onA.frame(1).timeout(WAIT_S, SECONDS).await().getJsonObject("event"));
    assertEquals(create, onB.frame(1).timeout(WAIT_S, SECONDS).await().getJsonObject("event"));
    assertNull(httpB.call("stream::get", new JsonObject().put("stream_name", stream).put("group_id", "g")
        .put("item_id", "i")).timeout(WAIT_S, SECONDS).await(), "Redis itself was not written");
  }
}
