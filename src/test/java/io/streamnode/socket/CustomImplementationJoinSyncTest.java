package io.streamnode.socket;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.MapStream;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static java.util.concurrent.TimeUnit.SECONDS;
import static io.streamnode.testing.Frames.assertGolden;
import static io.streamnode.testing.Frames.wrapper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A join on a stream with a custom {@code get} / {@code list} is synced from it, as iii's join
 * calls its own {@code stream::get} / {@code stream::list}; if the custom read fails, no sync is
 * sent but the subscription stands (iii's {@code handle_socket_message_*_errors_do_not_emit_sync_messages}).
 */
@ExtendWith(VertxExtension.class)
// JUnit's own timeout: Vert.x's @Timeout only bounds tests that take a VertxTestContext.
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CustomImplementationJoinSyncTest {

  /** Every blocking wait is bounded: a frame that never comes fails the test instead of hanging the build. */
  private static final long WAIT_S = 20;

  private StreamNode node;
  private Worker caller;
  private Worker implementation;
  private Vertx vertx;
  private final List<TestSocket> sockets = new ArrayList<>();

  @BeforeEach
  void start(Vertx vertx) {
    this.vertx = vertx;
    node = TestNodes.start(vertx).timeout(WAIT_S, SECONDS).await();
    caller = Worker.create(vertx);
    implementation = Worker.create(vertx);
  }

  @AfterEach
  void stop() {
    // A node's servers wait for open connections when they stop.
    sockets.forEach(s -> s.close().otherwiseEmpty().timeout(WAIT_S, SECONDS).await());
    implementation.close().timeout(WAIT_S, SECONDS).await();
    node.close().timeout(WAIT_S, SECONDS).await();
  }

  private TestSocket socket() {
    TestSocket socket = TestSocket.connect(vertx, node.streamSocketPort()).timeout(WAIT_S, SECONDS).await();
    sockets.add(socket);
    return socket;
  }

  private static JsonObject item(String stream, String item) {
    return new JsonObject().put("stream_name", stream).put("group_id", "g").put("item_id", item);
  }

  @Test
  void aGroupJoinIsSyncedFromTheCustomList() {
    MapStream custom = MapStream.register(implementation, "custom", List.of("list")).timeout(WAIT_S, SECONDS).await()
        .seed("g", "a", new JsonObject().put("from", "custom")).seed("g", "b", 2);
    caller.call("stream::set", item("custom", "stored").put("data", "in the adapter")).timeout(WAIT_S, SECONDS).await();
    TestSocket socket = socket();
    socket.join("s", "custom", "g", null).timeout(WAIT_S, SECONDS).await();
    assertGolden(wrapper("custom", "g", null, "{\"type\":\"sync\",\"data\":[{\"from\":\"custom\"},2]}"),
        socket.frame(0).timeout(WAIT_S, SECONDS).await());
    assertEquals("{\"op\":\"list\",\"input\":{\"stream_name\":\"custom\",\"group_id\":\"g\"}}",
        custom.calls().get(0).encode());
  }

  @Test
  void anItemJoinIsSyncedFromTheCustomGetAndNoResultSyncsNull() {
    MapStream.register(implementation, "custom", List.of("get")).timeout(WAIT_S, SECONDS).await().seed("g", "a", new JsonObject().put("v", 1));
    TestSocket socket = socket();
    socket.join("s1", "custom", "g", "a").timeout(WAIT_S, SECONDS).await();
    socket.join("s2", "custom", "g", "missing").timeout(WAIT_S, SECONDS).await();
    List<JsonObject> frames = socket.frames(2).timeout(WAIT_S, SECONDS).await();
    assertGolden(wrapper("custom", "g", "a", "{\"type\":\"sync\",\"data\":{\"v\":1}}"), frames.get(0));
    assertGolden(wrapper("custom", "g", "missing", "{\"type\":\"sync\",\"data\":null}"), frames.get(1));
  }

  @Test
  void aFailingCustomGetOrListSendsNoSyncButTheSubscriptionStands() {
    implementation.registerFunction("stream::get(custom)",
        input -> Future.failedFuture(new FunctionException("GET_FAILED", "custom get failed", 500))).timeout(WAIT_S, SECONDS).await();
    implementation.registerFunction("stream::list(custom)",
        input -> Future.failedFuture(new FunctionException("LIST_FAILED", "custom list failed", 500))).timeout(WAIT_S, SECONDS).await();
    TestSocket socket = socket();
    socket.join("item", "custom", "g", "a").timeout(WAIT_S, SECONDS).await();
    socket.join("group", "custom", "g", null).timeout(WAIT_S, SECONDS).await();
    // A connection's joins are answered one at a time: the sync of a later join (on a stream
    // without a custom read) comes once both joins above are done, and comes first if they sent
    // none. A fixed pause proved neither, and on a slow machine the write below could beat them.
    socket.join("marker", "plain", "g", null).timeout(WAIT_S, SECONDS).await();
    assertGolden(wrapper("plain", "g", null, "{\"type\":\"sync\",\"data\":[]}"),
        socket.frame(0).timeout(WAIT_S, SECONDS).await());

    // Both subscriptions are live: a write reaches each once.
    caller.call("stream::set", item("custom", "a").put("data", 1)).timeout(WAIT_S, SECONDS).await();
    List<JsonObject> frames = socket.frames(3).timeout(WAIT_S, SECONDS).await();
    for (JsonObject frame : frames.subList(1, 3)) {
      assertGolden(wrapper("custom", "g", "a", "{\"type\":\"create\",\"data\":1}"), frame);
    }
  }

  @Test
  void writesAfterACustomSyncArriveOnceAndInOrder() {
    MapStream.register(implementation, "custom", List.of("list", "set")).timeout(WAIT_S, SECONDS).await().seed("g", "a", 0);
    TestSocket socket = socket();
    // Writes one after another; the join goes out once the 5th is acknowledged, so it races the
    // rest: each write is either in the sync or an event after it, never both, never neither.
    // The writes go on until the sync has arrived, then 5 more: the join always races writes,
    // however slowly it is handled (a fixed 40 writes could all be done before it on a slow machine).
    int[] stopAfter = {MAX_WRITES};
    int writes = chain(1, n -> {
      if (n == 5) {
        socket.join("s", "custom", "g", null);
      }
      if (stopAfter[0] == MAX_WRITES && !socket.received().isEmpty()) {
        stopAfter[0] = n + 5;
      }
      return n < stopAfter[0];
    }).timeout(WAIT_S, SECONDS).await();
    JsonObject sync = socket.frame(0).timeout(WAIT_S, SECONDS).await();
    int synced = sync.getJsonObject("event").getJsonArray("data").getInteger(0);
    assertTrue(synced >= 5 && synced < writes, "the join raced the writes: synced at " + synced + " of " + writes);
    // A marker written last: once it is in, every event of the writes before it is (one group, in order).
    caller.call("stream::set", item("custom", "a").put("data", -1)).timeout(WAIT_S, SECONDS).await();
    List<JsonObject> frames = socket.frames(2 + writes - synced).timeout(WAIT_S, SECONDS).await();
    for (int i = 1; i < frames.size() - 1; i++) {
      assertEquals(synced + i, frames.get(i).getJsonObject("event").getInteger("data"), frames.toString());
    }
    assertEquals(-1, frames.get(frames.size() - 1).getJsonObject("event").getInteger("data"), "nothing between: " + frames);
  }

  /** Bound of {@link #writesAfterACustomSyncArriveOnceAndInOrder}'s writes, should its sync never come. */
  private static final int MAX_WRITES = 2_000;

  /**
   * Sets item a to n, n+1, ..., each once the previous one is acknowledged, while {@code more}
   * (told the value just acknowledged) says so; completes with the last value written.
   */
  private Future<Integer> chain(int n, java.util.function.IntPredicate more) {
    return caller.call("stream::set", item("custom", "a").put("data", n))
        .compose(r -> more.test(n) ? chain(n + 1, more) : Future.succeededFuture(n));
  }
}
