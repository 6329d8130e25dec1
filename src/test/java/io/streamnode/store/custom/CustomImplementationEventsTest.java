package io.streamnode.store.custom;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.MapStream;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static java.util.concurrent.TimeUnit.SECONDS;
import static io.streamnode.testing.Frames.assertGolden;
import static io.streamnode.testing.Frames.wrapper;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * After a write made by a custom implementation, the node emits the event and fires the
 * {@code stream} triggers exactly as for a stored write (iii does so too), in the group's single
 * order: subscribers see the writes in the order the implementation made them.
 */
@ExtendWith(VertxExtension.class)
// JUnit's own timeout: Vert.x's @Timeout only bounds tests that take a VertxTestContext.
@Timeout(value = 20, unit = TimeUnit.SECONDS)
class CustomImplementationEventsTest {

  /** Every blocking wait is bounded: a frame that never comes fails the test instead of hanging the build. */
  private static final long WAIT_S = 10;

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

  private TestSocket subscriber(String stream) {
    TestSocket socket = TestSocket.connect(vertx, node.streamSocketPort()).timeout(WAIT_S, SECONDS).await();
    sockets.add(socket);
    socket.join("sub", stream, "g", null).timeout(WAIT_S, SECONDS).await();
    socket.frame(0).timeout(WAIT_S, SECONDS).await(); // the sync
    return socket;
  }

  private Object call(String functionId, JsonObject input) {
    return caller.call(functionId, input).timeout(WAIT_S, SECONDS).await().value();
  }

  private static JsonObject item(String stream, String item) {
    return new JsonObject().put("stream_name", stream).put("group_id", "g").put("item_id", item);
  }

  @Test
  void delegatedWritesReachSubscribersAsCreateUpdateAndDelete() {
    MapStream.register(implementation, "custom", List.of("set", "delete", "update")).timeout(WAIT_S, SECONDS).await();
    TestSocket socket = subscriber("custom");

    call("stream::set", item("custom", "a").put("data", new JsonObject().put("n", 1)));
    call("stream::set", item("custom", "a").put("data", new JsonObject().put("n", 2)));
    call("stream::update", item("custom", "a").put("ops", new JsonArray()
        .add(new JsonObject().put("type", "merge").put("value", new JsonObject().put("m", true)))));
    call("stream::update", item("custom", "b").put("ops", new JsonArray()));
    call("stream::delete", item("custom", "a"));
    call("stream::delete", item("custom", "a")); // nothing was there: no event
    call("stream::send", new JsonObject().put("stream_name", "custom").put("group_id", "g").put("type", "end")
        .put("data", 0));

    List<JsonObject> frames = socket.frames(7).timeout(WAIT_S, SECONDS).await();
    assertGolden(wrapper("custom", "g", "a", "{\"type\":\"create\",\"data\":{\"n\":1}}"), frames.get(1));
    assertGolden(wrapper("custom", "g", "a", "{\"type\":\"update\",\"data\":{\"n\":2}}"), frames.get(2));
    assertGolden(wrapper("custom", "g", "a", "{\"type\":\"update\",\"data\":{\"n\":2,\"m\":true}}"), frames.get(3));
    assertGolden(wrapper("custom", "g", "b", "{\"type\":\"create\",\"data\":{}}"), frames.get(4));
    assertGolden(wrapper("custom", "g", "a", "{\"type\":\"delete\",\"data\":{\"n\":2,\"m\":true}}"), frames.get(5));
    assertGolden(wrapper("custom", "g", null, "{\"type\":\"event\",\"event\":{\"type\":\"end\",\"data\":0}}"),
        frames.get(6));
  }

  @Test
  void delegatedWritesFireTheStreamTriggersWithTheEvent() {
    MapStream.register(implementation, "custom", List.of("set", "delete")).timeout(WAIT_S, SECONDS).await();
    List<JsonObject> fired = new CopyOnWriteArrayList<>();
    Promise<Void> two = Promise.promise();
    implementation.registerFunction("test::on_change", input -> {
      fired.add((JsonObject) input);
      if (fired.size() == 2) {
        two.tryComplete();
      }
      return Future.succeededFuture(FunctionResult.NULL);
    }).timeout(WAIT_S, SECONDS).await();
    implementation.registerTrigger("stream", "test::on_change", new JsonObject().put("stream_name", "custom")).timeout(WAIT_S, SECONDS).await();

    call("stream::set", item("custom", "a").put("data", "v"));
    call("stream::delete", item("custom", "a"));
    two.future().timeout(WAIT_S, SECONDS).await();
    assertGolden(wrapper("custom", "g", "a", "{\"type\":\"create\",\"data\":\"v\"}"), fired.get(0));
    assertGolden(wrapper("custom", "g", "a", "{\"type\":\"delete\",\"data\":\"v\"}"), fired.get(1));
  }

  @Test
  void concurrentDelegatedWritesOnOneGroupRunOneAtATimeAndAreEmittedInTheOrderMade() {
    // Each write takes a random few ms inside the implementation; without the group's order the
    // calls would overlap and the events could leave in another order than the writes were made.
    List<Integer> made = Collections.synchronizedList(new ArrayList<>());
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    implementation.registerFunction("stream::set(custom)", input -> {
      maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      Promise<FunctionResult> done = Promise.promise();
      vertx.setTimer(1 + (long) (Math.random() * 4), t -> {
        int n = ((JsonObject) input).getInteger("data");
        made.add(n);
        inFlight.decrementAndGet();
        done.complete(FunctionResult.of(new JsonObject().put("old_value", n == 0 ? null : n - 1).put("new_value", n)));
      });
      return done.future();
    }).timeout(WAIT_S, SECONDS).await();
    TestSocket socket = subscriber("custom");

    int writes = 40;
    List<Future<?>> calls = new ArrayList<>();
    for (int i = 0; i < writes; i++) {
      calls.add(caller.call("stream::set", item("custom", "counter").put("data", i)));
    }
    Future.all(calls).timeout(WAIT_S, SECONDS).await();
    List<JsonObject> frames = socket.frames(1 + writes).timeout(WAIT_S, SECONDS).await();

    List<Integer> delivered = frames.subList(1, frames.size()).stream()
        .map(f -> f.getJsonObject("event").getInteger("data")).toList();
    assertEquals(1, maxInFlight.get(), "the group's writes never overlap in the implementation");
    assertEquals(made, delivered, "subscribers see the writes in the order the implementation made them");
    assertEquals(writes, delivered.size());
  }

  @Test
  void aFailedDelegatedWriteEmitsNothing() {
    implementation.registerFunction("stream::set(custom)", input -> {
      Object data = ((JsonObject) input).getValue("data");
      return "bad".equals(data) ? Future.succeededFuture(FunctionResult.of("not a result"))
          : Future.succeededFuture(FunctionResult.of(new JsonObject().put("new_value", data)));
    }).timeout(WAIT_S, SECONDS).await();
    TestSocket socket = subscriber("custom");

    FunctionException bad = assertThrows(FunctionException.class,
        () -> caller.call("stream::set", item("custom", "a").put("data", "bad")).timeout(WAIT_S, SECONDS).await());
    assertEquals("JSON_ERROR", bad.code());
    call("stream::set", item("custom", "b").put("data", "good"));
    assertGolden(wrapper("custom", "g", "b", "{\"type\":\"create\",\"data\":\"good\"}"), socket.frame(1).timeout(WAIT_S, SECONDS).await());
  }
}
