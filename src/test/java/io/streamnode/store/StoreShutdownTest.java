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
    MemoryStorage slow = new MemoryStorage() {
      @Override
      public Future<Written> set(String stream, String group, String item, Object value, EventDraft event) {
        return vertx.timer(400).compose(t -> super.set(stream, group, item, value, event))
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
      // The undeploy starts once the call has reached the store (the set is then waiting on its timer).
      return vertx.timer(100).compose(t -> {
        Future<Void> stopped = vertx.undeploy(id);
        // Called from a context of its own: the store's context fails its own pending requests when it closes.
        io.vertx.core.Promise<FunctionResult> late = io.vertx.core.Promise.promise();
        client.runOnContext(v -> vertx.setTimer(50, x -> functions.call("stream::set", input.copy().put("item_id", "b"))
            .onComplete(late)));
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
}
