package io.streamnode.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A node shutting down closes its stream sockets first and its worker socket after them, so a
 * {@code stream:leave} handler owned by a connected worker still gets the leave of every
 * subscription the shutdown closes (before, the worker was disconnected first and the leaves
 * failed with "function not found", leaving stored presence inflated).
 */
class WorkerLeaveHandlerAtShutdownTest extends WorkerTestBase {

  private static final int SUBSCRIPTIONS = 5;

  @Test
  void aWorkerOwnedLeaveHandlerGetsEveryLeaveOfTheSocketsClosedAtShutdown() throws Exception {
    RawWorker worker = worker();
    worker.send(registerFunction("presence::leave"));
    worker.send(registerTrigger(uuid(), "stream:leave", "presence::leave", new JsonObject()));
    sync(worker);
    Vertx clients = Vertx.vertx();
    try {
      for (int i = 0; i < SUBSCRIPTIONS; i++) {
        TestSocket socket = TestSocket.connect(clients, node.streamSocketPort()).await(20, TimeUnit.SECONDS);
        socket.join("sub-" + i, "room", "lobby", null).await(20, TimeUnit.SECONDS);
        socket.frame(0).await(20, TimeUnit.SECONDS); // the join's sync: the subscription exists
      }
      Future<Void> closing = node.close();
      Set<String> left = new HashSet<>();
      for (int i = 0; i < SUBSCRIPTIONS; i++) {
        JsonObject invoke = worker.next("invokefunction");
        assertEquals("presence::leave", invoke.getString("function_id"));
        left.add(invoke.getJsonObject("data").getString("subscription_id"));
        worker.send(result(invoke, null));
      }
      closing.await(20, TimeUnit.SECONDS);
      assertEquals(SUBSCRIPTIONS, left.size(), "distinct subscriptions whose leave reached the worker");
      assertTrue(worker.awaitClosed(RawWorker.WAIT_MS), "the worker socket closes once the leaves have run");
    } finally {
      clients.close().await(20, TimeUnit.SECONDS);
    }
  }
}
