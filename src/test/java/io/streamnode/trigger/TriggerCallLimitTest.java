package io.streamnode.trigger;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.LogLines;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README: "At most {@code limits.max_pending_trigger_calls} calls are in flight; beyond that new
 * ones are dropped with a warning rather than queued without bound." The handler here answers only
 * when the test releases it, so what is in flight is known exactly.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class TriggerCallLimitTest {

  private static final int LIMIT = 2;

  private Worker worker;
  private final List<Integer> called = new CopyOnWriteArrayList<>();
  private final List<Promise<FunctionResult>> held = new CopyOnWriteArrayList<>();
  private LogLines warnings;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext ctx) {
    warnings = LogLines.of(TriggerDispatchVerticle.class.getName());
    NodeOptions options = TestNodes.options();
    options.getLimits().setMaxPendingTriggerCalls(LIMIT);
    StreamNode.start(vertx, options)
        .compose(node -> {
          worker = Worker.create(vertx);
          return worker.registerFunction("test::held", input -> {
            called.add(((JsonObject) input).getJsonObject("event").getInteger("data"));
            Promise<FunctionResult> answer = Promise.promise();
            held.add(answer);
            return answer.future();
          });
        })
        .compose(v -> worker.registerTrigger("stream", "test::held", new JsonObject().put("stream_name", "s")))
        .<Void>mapEmpty()
        .onComplete(ctx.succeedingThenComplete());
  }

  @AfterEach
  void stop() {
    warnings.close();
  }

  private Future<?> set(int n) {
    return worker.call("stream::set", new JsonObject().put("stream_name", "s").put("group_id", "g" + n)
        .put("item_id", "i").put("data", n));
  }

  @Test
  void callsBeyondTheLimitAreDroppedWithAWarningNotQueued(Vertx vertx, VertxTestContext ctx) {
    // Five writes, each firing one call; the handler holds every call, so two stay in flight.
    List<Future<?>> writes = new ArrayList<>();
    for (int n = 1; n <= 5; n++) {
      writes.add(set(n));
    }
    Future.all(writes) // every write is acknowledged, dropped trigger calls or not
        .compose(v -> until(vertx, () -> called.size() >= LIMIT
            && warnings.any(w -> w.startsWith("trigger calls dropped"))))
        .compose(v -> pause(vertx, 300)) // a third call would have come by now, as the first two did
        .compose(v -> {
          ctx.verify(() -> assertEquals(LIMIT, called.size(), "calls in flight: " + called));
          held.forEach(p -> p.complete(FunctionResult.NULL));
          // The answers reach the dispatcher some time after this; until they do, a write's call
          // is still dropped. Write again (7, 8...) until one is called: how long that takes is
          // the machine's business, what runs first is not.
          return writeUntilCalled(vertx, 6);
        })
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          // A dropped call that had been queued instead would start as soon as the first two
          // answered, before any later write's call: the first call after the release is a new write's.
          assertTrue(called.get(LIMIT) >= 6, "a dropped call ran after the release: " + called);
          held.forEach(p -> p.tryComplete(FunctionResult.NULL));
          ctx.completeNow();
        })));
  }

  /** Writes {@code n}, {@code n + 1}... every 200 ms until one of their calls arrives (the test's timeout bounds it). */
  private Future<Void> writeUntilCalled(Vertx vertx, int n) {
    return set(n)
        .compose(v -> pause(vertx, 200))
        .compose(v -> called.size() > LIMIT ? Future.<Void>succeededFuture() : writeUntilCalled(vertx, n + 1));
  }

  private static Future<Void> until(Vertx vertx, java.util.function.BooleanSupplier condition) {
    Promise<Void> p = Promise.promise();
    vertx.setPeriodic(1, 20, id -> { // not 0: Vert.x 5.0.10 cannot cancel a periodic timer from its first, immediate run
      if (condition.getAsBoolean()) {
        vertx.cancelTimer(id);
        p.tryComplete();
      }
    });
    return p.future();
  }

  private static Future<Void> pause(Vertx vertx, long ms) {
    Promise<Void> p = Promise.promise();
    vertx.setTimer(ms, t -> p.complete());
    return p.future();
  }
}
