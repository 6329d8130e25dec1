package io.streamnode.trigger;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.TestNodes;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** stream triggers: filters, condition functions, exact payload, and fire-and-forget dispatch. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class StreamTriggerTest {

  private Worker worker;
  private final List<JsonObject> seen = new CopyOnWriteArrayList<>();

  @BeforeEach
  void startNode(Vertx vertx, VertxTestContext ctx) {
    NodeOptions options = TestNodes.options();
    options.getStreamSocket().setPort(0);
    options.getHttpApi().setEnabled(false);
    StreamNode.start(vertx, options)
        .compose(node -> {
          worker = Worker.create(vertx);
          return worker.registerFunction("test::record", input -> {
            seen.add((JsonObject) input);
            return Future.succeededFuture(FunctionResult.of(new JsonObject()));
          });
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  /**
   * Registers a control trigger on {@code stream}, after the triggers under test: the triggers of
   * one event run one after another in registration order, so once the control has seen an event,
   * every trigger that was to fire for it has been called. Its calls land in {@code after}.
   */
  private Future<Void> control(List<JsonObject> after, String... streams) {
    Future<?> chain = worker.registerFunction("test::after", input -> {
      after.add((JsonObject) input);
      return Future.succeededFuture(FunctionResult.NULL);
    });
    for (String stream : streams) {
      chain = chain.compose(v -> worker.registerTrigger("stream", "test::after", new JsonObject().put("stream_name", stream)));
    }
    return chain.mapEmpty();
  }

  private Future<FunctionResult> set(String stream, String group, String item, Object data) {
    return worker.call("stream::set", new JsonObject().put("stream_name", stream).put("group_id", group)
        .put("item_id", item).put("data", data));
  }

  /** Gives fire-and-forget trigger calls time to run; the assertions then check exactly what ran. */
  private Future<Void> thenSettle(Vertx vertx) {
    return pause(vertx, 300);
  }

  /**
   * Waits until {@code calls} holds at least {@code count} entries (up to 30 s, so a loaded machine
   * does not fail the test), then a little longer so that any extra call would be seen too.
   */
  private Future<Void> thenSettle(Vertx vertx, List<?> calls, int count) {
    Promise<Void> reached = Promise.promise();
    long deadline = System.currentTimeMillis() + 30_000;
    vertx.setPeriodic(20, id -> {
      if (calls.size() >= count) {
        vertx.cancelTimer(id);
        reached.complete();
      } else if (System.currentTimeMillis() > deadline) {
        vertx.cancelTimer(id);
        reached.fail(new AssertionError("not " + count + " calls within 30 s: " + calls));
      }
    });
    return reached.future().compose(v -> pause(vertx, 200));
  }

  private static Future<Void> pause(Vertx vertx, long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, t -> p.complete());
    return p.future();
  }

  @Test
  void aStreamTriggerGetsTheSocketWrapperOfEachChange(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> after = new CopyOnWriteArrayList<>();
    worker.registerTrigger("stream", "test::record", new JsonObject().put("stream_name", "orders"))
        .compose(id -> control(after, "orders"))
        .compose(id -> set("orders", "g1", "i1", new JsonObject().put("status", "open")))
        .compose(r -> set("orders", "g1", "i1", new JsonObject().put("status", "paid")))
        .compose(r -> worker.call("stream::delete", new JsonObject("{\"stream_name\":\"orders\",\"group_id\":\"g1\",\"item_id\":\"i1\"}")))
        .compose(r -> worker.call("stream::send", new JsonObject("{\"stream_name\":\"orders\",\"group_id\":\"g1\",\"type\":\"typing\",\"data\":7}")))
        .compose(r -> thenSettle(vertx, after, 4))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(4, seen.size(), seen.toString());
          for (JsonObject e : seen) {
            assertTrue(e.getValue("timestamp") instanceof Number);
            e.remove("timestamp");
          }
          assertEquals(new JsonObject("{\"type\":\"stream\",\"streamName\":\"orders\",\"groupId\":\"g1\",\"id\":\"i1\","
              + "\"event\":{\"type\":\"create\",\"data\":{\"status\":\"open\"}}}"), seen.get(0));
          assertEquals("update", seen.get(1).getJsonObject("event").getString("type"));
          assertEquals(new JsonObject("{\"type\":\"delete\",\"data\":{\"status\":\"paid\"}}"), seen.get(2).getJsonObject("event"));
          assertEquals(new JsonObject("{\"type\":\"stream\",\"streamName\":\"orders\",\"groupId\":\"g1\",\"id\":null,"
              + "\"event\":{\"type\":\"event\",\"event\":{\"type\":\"typing\",\"data\":7}}}"), seen.get(3));
          ctx.completeNow();
        })));
  }

  @Test
  void groupAndItemFiltersMatchExactlyAndEmptyMeansAny(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> after = new CopyOnWriteArrayList<>();
    worker.registerTrigger("stream", "test::record", new JsonObject().put("stream_name", "s").put("group_id", "g1").put("item_id", ""))
        .compose(id -> worker.registerTrigger("stream", "test::record", new JsonObject().put("stream_name", "s").put("item_id", "only")))
        .compose(id -> control(after, "s", "other")) // sees all six writes, each after the triggers under test
        .compose(id -> set("s", "g1", "a", 1))      // first trigger
        .compose(r -> set("s", "g2", "a", 2))       // none
        .compose(r -> set("s", "g2", "only", 3))    // second trigger
        .compose(r -> set("s", "g1", "only", 4))    // both
        .compose(r -> set("other", "g1", "only", 5)) // none: other stream
        .compose(r -> set("s", "g1", "*", 6))       // first only: "*" is a literal, not a wildcard
        .compose(r -> thenSettle(vertx, after, 6))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          List<Object> values = seen.stream().map(e -> e.getJsonObject("event").getValue("data")).toList();
          assertEquals(List.of(1, 3, 4, 4, 6), values.stream().sorted((a, b) -> ((Integer) a) - ((Integer) b)).toList());
          ctx.completeNow();
        })));
  }

  @Test
  void aConditionReturningFalseSkipsTheHandlerAndAnythingElseRunsIt(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> after = new CopyOnWriteArrayList<>();
    worker.registerFunction("test::only_even", input -> {
          int n = ((JsonObject) input).getJsonObject("event").getInteger("data");
          return Future.succeededFuture(n % 2 == 0 ? FunctionResult.of(true) : FunctionResult.of(false));
        })
        .compose(v -> worker.registerTrigger("stream", "test::record",
            new JsonObject().put("stream_name", "s").put("condition_function_id", "test::only_even")))
        .compose(id -> control(after, "s"))
        .compose(id -> set("s", "g", "a", 1))
        .compose(r -> set("s", "g", "a", 2))
        .compose(r -> set("s", "g", "a", 3))
        .compose(r -> set("s", "g", "a", 4))
        .compose(r -> thenSettle(vertx, after, 4))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(List.of(2, 4), seen.stream().map(e -> e.getJsonObject("event").getInteger("data")).toList());
          ctx.completeNow();
        })));
  }

  @Test
  void aFailingConditionSkipsTheHandler(Vertx vertx, VertxTestContext ctx) {
    List<JsonObject> control = new CopyOnWriteArrayList<>();
    worker.registerFunction("test::broken", input -> Future.failedFuture("boom"))
        .compose(v -> worker.registerFunction("test::control", input -> {
          control.add((JsonObject) input);
          return Future.succeededFuture(FunctionResult.NULL);
        }))
        .compose(v -> worker.registerTrigger("stream", "test::record",
            new JsonObject().put("stream_name", "s").put("condition_function_id", "test::broken")))
        // Positive control: a trigger without condition, on the same events, registered after the
        // conditioned one, so it runs after the condition was asked (one event's triggers run in order).
        .compose(id -> worker.registerTrigger("stream", "test::control", new JsonObject().put("stream_name", "s")))
        .compose(id -> set("s", "g", "a", 1))
        .compose(r -> thenSettle(vertx, control, 1))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(1, control.size(), "the event reached dispatch");
          assertEquals(List.of(), seen);
          ctx.completeNow();
        })));
  }

  @Test
  void aFailingHandlerNeitherFailsNorRollsBackTheWrite(Vertx vertx, VertxTestContext ctx) {
    worker.registerFunction("test::fails", input -> Future.failedFuture(new IllegalStateException("handler down")))
        .compose(v -> worker.registerTrigger("stream", "test::fails", new JsonObject().put("stream_name", "s")))
        .compose(v -> worker.registerTrigger("stream", "test::missing_function", new JsonObject().put("stream_name", "s")))
        .compose(v -> worker.registerTrigger("stream", "test::record", new JsonObject().put("stream_name", "s")))
        .compose(id -> set("s", "g", "a", 1))
        .compose(r -> worker.call("stream::get", new JsonObject("{\"stream_name\":\"s\",\"group_id\":\"g\",\"item_id\":\"a\"}")))
        .compose(r -> {
          ctx.verify(() -> assertEquals(FunctionResult.of(1), r));
          return thenSettle(vertx, seen, 1);
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(1, seen.size(), "later triggers still run after a failing one");
          ctx.completeNow();
        })));
  }

  @Test
  void aHandlerThatHasNotAnsweredDoesNotHoldBackTheWrites(Vertx vertx, VertxTestContext ctx) {
    // The handler answers only when the test says so: if dispatch waited for it, the writes would
    // never be acknowledged (no timing involved, so a slow machine cannot fail this).
    Promise<FunctionResult> answer = Promise.promise();
    List<Object> called = new CopyOnWriteArrayList<>();
    worker.registerFunction("test::held", input -> {
          called.add(input);
          return answer.future();
        })
        .compose(v -> worker.registerTrigger("stream", "test::held", new JsonObject().put("stream_name", "s")))
        .compose(id -> set("s", "g", "a", 1))
        .compose(r -> thenSettle(vertx, called, 1))
        .compose(r -> set("s", "g", "a", 2))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertTrue(called.size() >= 1, "the handler was called");
          assertTrue(!answer.future().isComplete(), "and had not answered when both writes were acknowledged");
          answer.complete(FunctionResult.NULL);
          ctx.completeNow();
        })));
  }

  @Test
  void theTriggersOfOneEventRunOneAfterAnother(Vertx vertx, VertxTestContext ctx) {
    Promise<FunctionResult> firstAnswer = Promise.promise();
    List<String> calls = new CopyOnWriteArrayList<>();
    worker.registerFunction("test::first", input -> {
          calls.add("first");
          return firstAnswer.future();
        })
        .compose(v -> worker.registerFunction("test::second", input -> {
          calls.add("second");
          return Future.succeededFuture(FunctionResult.NULL);
        }))
        .compose(v -> worker.registerTrigger("stream", "test::first", new JsonObject().put("stream_name", "s")))
        .compose(id -> worker.registerTrigger("stream", "test::second", new JsonObject().put("stream_name", "s")))
        .compose(id -> set("s", "g", "a", 1))
        .compose(r -> thenSettle(vertx, calls, 1)) // first called, then 200 ms in which second must not be
        .compose(v -> {
          ctx.verify(() -> assertEquals(List.of("first"), calls, "the second trigger waits for the first's answer"));
          firstAnswer.complete(FunctionResult.NULL);
          return thenSettle(vertx, calls, 2);
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(List.of("first", "second"), calls, "and runs once it has answered");
          ctx.completeNow();
        })));
  }

  @Test
  void aStreamTriggerWithoutStreamNameIsRefused(VertxTestContext ctx) {
    worker.registerTrigger("stream", "test::record", new JsonObject().put("group_id", "g"))
        .onComplete(ctx.failing(err -> ctx.verify(() -> {
          FunctionException fe = assertInstanceOf(FunctionException.class, err);
          assertEquals("trigger_registration_failed", fe.code());
          ctx.completeNow();
        })));
  }

  @Test
  void anUnregisteredTriggerStopsFiring(Vertx vertx, VertxTestContext ctx) {
    List<Object> control = new CopyOnWriteArrayList<>();
    worker.registerFunction("test::control", input -> {
          control.add(((JsonObject) input).getJsonObject("event").getValue("data"));
          return Future.succeededFuture(FunctionResult.NULL);
        })
        .compose(v -> worker.registerTrigger("stream", "test::record", new JsonObject().put("stream_name", "s")))
        .compose(id -> set("s", "g", "a", 1).compose(r -> thenSettle(vertx, seen, 1)).compose(r -> worker.unregisterTrigger(id)))
        // Positive control, registered after the unregistration so it runs after where the removed one would have.
        .compose(v -> worker.registerTrigger("stream", "test::control", new JsonObject().put("stream_name", "s")))
        .compose(v -> set("s", "g", "a", 2))
        .compose(r -> thenSettle(vertx, control, 1))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(List.of(2), control, "the second write reached dispatch");
          assertEquals(List.of(1), seen.stream().map(e -> e.getJsonObject("event").getInteger("data")).toList());
          ctx.completeNow();
        })));
  }

  @Test
  void publishDeliversRawDataToEachSubscriberAndRemovingOneKeepsTheOthers(Vertx vertx, VertxTestContext ctx) {
    List<Object> second = new CopyOnWriteArrayList<>();
    worker.registerFunction("test::second", input -> {
          second.add(input);
          return Future.succeededFuture(FunctionResult.NONE);
        })
        .compose(v -> worker.registerTrigger("subscribe", "test::record", new JsonObject().put("topic", "chat")))
        .compose(firstId -> worker.registerTrigger("subscribe", "test::second", new JsonObject().put("topic", "chat"))
            .compose(id -> worker.call("publish", new JsonObject().put("topic", "chat").put("data", new JsonObject().put("text", "hi"))))
            .compose(r -> {
              ctx.verify(() -> assertEquals(FunctionResult.NONE, r));
              return thenSettle(vertx, second, 1);
            })
            .compose(v -> worker.unregisterTrigger(firstId)))
        .compose(v -> worker.call("publish", new JsonObject().put("topic", "chat").put("data", new JsonObject().put("text", "again"))))
        .compose(r -> thenSettle(vertx, second, 2))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertEquals(List.of(new JsonObject().put("text", "hi")), seen);
          assertEquals(List.of(new JsonObject().put("text", "hi"), new JsonObject().put("text", "again")), second);
          ctx.completeNow();
        })));
  }

  @Test
  void publishWithAnEmptyTopicFailsWithTopicNotSet(VertxTestContext ctx) {
    worker.call("publish", new JsonObject().put("topic", "").put("data", 1)).onComplete(ctx.failing(err -> ctx.verify(() -> {
      assertEquals("topic_not_set", ((FunctionException) err).code());
      assertEquals("Topic is not set", err.getMessage());
      ctx.completeNow();
    })));
  }
}
