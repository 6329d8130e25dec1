package io.streamnode.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnode.api.Worker;
import io.streamnode.testing.RecordingFunction;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A node that shuts down with clients connected closes their sockets at once with 1001 (going
 * away; Vert.x's graceful shutdown alone waited 30 s for them), and every subscription it closes
 * gets its {@code stream:leave}, as on any other close: a presence counter fed by leave triggers
 * ends at zero. Trigger dispatch stops after the gateway and lets the leaves already queued for it
 * run first (before, Vert.x dropped them with a warning each).
 */
@ExtendWith(VertxExtension.class)
class ShutdownLeaveTest {

  private static final int SOCKETS = 300;

  @Test
  @Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
  void closingTheNodeFiresALeaveForEverySubscriptionOfTheSocketsItCloses(Vertx vertx, VertxTestContext testContext) {
    Worker worker = Worker.create(vertx);
    Vertx clients = Vertx.vertx(); // the clients' own event loops, as if they were another process
    List<TestSocket> sockets = new ArrayList<>();
    long[] closeMillis = new long[1];
    TestNodes.start(vertx).compose(node -> RecordingFunction.register(worker, "presence::leave")
            .compose(leaves -> worker.registerTrigger("stream:leave", "presence::leave", new JsonObject()).map(leaves))
            .compose(leaves -> {
              List<Future<TestSocket>> joined = new ArrayList<>();
              for (int i = 0; i < SOCKETS; i++) {
                String sub = "s" + i;
                String group = "g" + (i % 10);
                joined.add(TestSocket.connect(clients, node.streamSocketPort())
                    .compose(s -> s.join(sub, "room", group, null).compose(v -> s.frame(0)).map(s)));
              }
              // Dispatch is fire-and-forget: wait for the leaves to reach the function and for every
              // client to see its close (a fixed 2 s was a bet on a loaded machine's speed), then
              // give a duplicate leave a moment to show before counting. A leave that never comes
              // shows in the counts below.
              return Future.all(joined).compose(all -> {
                    sockets.addAll(all.list());
                    closeMillis[0] = System.currentTimeMillis();
                    return node.close();
                  })
                  .compose(closed -> {
                    closeMillis[0] = System.currentTimeMillis() - closeMillis[0];
                    return Future.join(leaves.calls(SOCKETS), Future.join(sockets.stream().map(TestSocket::closed).toList()))
                        .timeout(20, TimeUnit.SECONDS).otherwiseEmpty();
                  })
                  .compose(arrived -> vertx.timer(500, TimeUnit.MILLISECONDS))
                  .map(t -> leaves.inputs());
            }))
        .eventually(clients::close)
        .onComplete(testContext.succeeding(calls -> testContext.verify(() -> {
          // Each subscription's leave exactly once (the README says once): counting distinct ids
          // alone would pass a leave fired twice.
          Map<String, Integer> leaves = new HashMap<>();
          for (Object call : calls) {
            leaves.merge(((JsonObject) call).getString("subscription_id"), 1, Integer::sum);
          }
          assertEquals(SOCKETS, leaves.size(), "distinct subscriptions that got their leave");
          assertEquals(SOCKETS, calls.size(), "leave calls, one per subscription: "
              + leaves.entrySet().stream().filter(e -> e.getValue() > 1).toList());
          // Well under Vert.x's 30 s, with room for a loaded machine (the gateway itself waits up to 5 s).
          assertTrue(closeMillis[0] < 15_000, "node.close() took " + closeMillis[0] + " ms (Vert.x alone waits 30 s for open sockets)");
          for (TestSocket socket : sockets) {
            assertEquals((short) 1001, socket.closeStatusCode(), "close code: going away");
          }
          testContext.completeNow();
        })));
  }
}
