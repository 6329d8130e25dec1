package io.streamnode.store;

import io.streamnode.StreamNode;
import io.streamnode.config.LimitsOptions;
import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.streamnode.store.event.EventDraft;
import io.streamnode.store.kv.MemoryStorage;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A store that stops while a write is still being applied (a slow storage, as Redis or a
 * Hazelcast entry processor can be) answers that write before it closes the storage; a call made
 * after it stopped taking calls is refused at once, never left to time out.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
class StoreShutdownTest {

  @Test
  void aWriteInFlightWhenTheStoreStopsIsAppliedAndAnsweredBeforeTheStorageCloses(Vertx vertx, VertxTestContext ctx) {
    List<String> order = new CopyOnWriteArrayList<>();
    // The write in flight is held inside the storage until the test lets it go: the undeploy and
    // the late call happen while it is there by construction, not by timers racing a slow machine.
    Promise<io.vertx.core.Context> reached = Promise.promise();
    Promise<Void> release = Promise.promise();
    MemoryStorage slow = new MemoryStorage() {
      @Override
      public Future<Written> set(String stream, String group, String item, Object value, EventDraft event) {
        reached.tryComplete(Vertx.currentContext());
        return release.future().compose(t -> super.set(stream, group, item, value, event))
            .onSuccess(w -> order.add("applied " + item));
      }

      @Override
      public Future<Void> close() {
        order.add("closed");
        return super.close();
      }
    };
    StreamNode.registerCodecs(vertx);
    io.vertx.core.Context client = ((io.vertx.core.internal.VertxInternal) vertx).createEventLoopContext();
    FunctionBus functions = new FunctionBus(vertx, 10_000);
    JsonObject input = new JsonObject().put("stream_name", "s").put("group_id", "g").put("item_id", "a").put("data", 1);
    vertx.deployVerticle(new StoreVerticle(slow, new LimitsOptions())).compose(id -> {
      Future<FunctionResult> inFlight = functions.call("stream::set", input);
      return reached.future().compose(storeContext -> {
        Future<Void> stopped = vertx.undeploy(id);
        // Called from a context of its own: the store's context fails its own pending requests when it closes.
        Promise<FunctionResult> late = Promise.promise();
        client.runOnContext(v -> stoppedTakingCalls(vertx, functions, System.nanoTime() + TimeUnit.SECONDS.toNanos(10))
            .compose(x -> functions.call("stream::set", input.copy().put("item_id", "b")))
            .onComplete(late));
        // Only then does the write in flight complete (on the store's context, where it started).
        late.future().onComplete(x -> storeContext.runOnContext(v -> release.complete()));
        return Future.join(inFlight, stopped, late.future())
            .transform(done -> Future.succeededFuture(List.of(inFlight, late.future())));
      });
    }).onComplete(ctx.succeeding(calls -> ctx.verify(() -> {
      assertEquals(null, calls.get(0).cause(), "the write in flight is answered");
      assertEquals(new JsonObject().putNull("old_value").put("new_value", 1), calls.get(0).result().value(),
          "the write in flight is answered with its result");
      assertEquals(List.of("applied a", "closed"), order, "applied before the storage closed; the late call never reached it");
      FunctionException late = assertInstanceOf(FunctionException.class, calls.get(1).cause());
      assertEquals(ErrorCode.FUNCTION_NOT_FOUND.code(), late.code(), "a call after the store stopped is refused at once");
      ctx.completeNow();
    })));
  }

  /**
   * Completes once a read of another group is refused as FUNCTION_NOT_FOUND: the stopping store has
   * unregistered its functions (a read changes nothing, so probing leaves no trace in the storage).
   */
  private static Future<Void> stoppedTakingCalls(Vertx vertx, FunctionBus functions, long deadline) {
    JsonObject probe = new JsonObject().put("stream_name", "s").put("group_id", "probe").put("item_id", "x");
    return functions.call("stream::get", probe).transform(ar -> {
      if (ar.failed() && ar.cause() instanceof FunctionException e && ErrorCode.FUNCTION_NOT_FOUND.code().equals(e.code())) {
        return Future.succeededFuture();
      }
      if (System.nanoTime() > deadline) {
        return Future.failedFuture(new AssertionError("the stopping store still answered calls: " + ar));
      }
      return vertx.timer(20).compose(t -> stoppedTakingCalls(vertx, functions, deadline));
    });
  }
}
