package io.streamnode.worker;

import io.streamnode.api.Worker;
import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Registrations belong to the connection that made them: only it removes them; a trigger id
 * re-registered by another connection survives the first one's departure; triggers of the Java
 * API go when their verticle is undeployed; {@code registerTriggerOnce} keeps one trigger for
 * every registrant of an id.
 */
class RegistrationOwnershipTest extends WorkerTestBase {

  private static JsonObject onStream(String stream) {
    return new JsonObject().put("stream_name", stream);
  }

  private void set(String stream) throws Exception {
    get(functions.call("stream::set", new JsonObject().put("stream_name", stream).put("group_id", "g")
        .put("item_id", "i").put("data", System.nanoTime())));
  }

  private static <T> T get(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aTriggerTakenOverByAReconnectedWorkerSurvivesTheOldConnectionsCleanup() throws Exception {
    try (RawWorker fresh = worker()) {
      try (RawWorker old = worker()) {
        old.send(registerFunction("own::old")).send(registerTrigger("t-own", "stream", "own::old", onStream("own1")));
        sync(old);
        fresh.send(registerFunction("own::fresh")).send(registerTrigger("t-own", "stream", "own::fresh", onStream("own1")));
        sync(fresh);
      } // the old connection closes and cleans up
      Thread.sleep(200);
      set("own1");
      JsonObject call = fresh.next("invokefunction");
      assertEquals("own::fresh", call.getString("function_id"));
      fresh.send(noResult(call));
    }
  }

  @Test
  void aWorkerCannotRemoveAnotherWorkersTrigger() throws Exception {
    try (RawWorker owner = worker(); RawWorker other = worker()) {
      owner.send(registerFunction("own::handler")).send(registerTrigger("t-theirs", "stream", "own::handler", onStream("own2")));
      sync(owner);
      other.send(unregisterTrigger("t-theirs", "stream"));
      sync(other);
      set("own2");
      JsonObject call = owner.next("invokefunction");
      assertEquals("own::handler", call.getString("function_id"));
      owner.send(noResult(call));
      // Its owner can.
      owner.send(unregisterTrigger("t-theirs", "stream"));
      sync(owner);
      set("own2");
      owner.expectSilence(300);
    }
  }

  /** A verticle that registers a trigger and forgets to close its worker. */
  public static final class Forgetful extends VerticleBase {
    @Override
    public Future<?> start() {
      Worker worker = Worker.create(vertx);
      return worker.registerTrigger("stream", "own::observer", onStream("own3"));
    }
  }

  @Test
  void triggersOfTheJavaApiGoWhenTheirVerticleIsUndeployed() throws Exception {
    CopyOnWriteArrayList<Object> calls = new CopyOnWriteArrayList<>();
    Worker observer = Worker.create(vertx);
    get(observer.registerFunction("own::observer", in -> {
      calls.add(in);
      return Future.succeededFuture(FunctionResult.NONE);
    }));
    String id = get(vertx.deployVerticle(new Forgetful()));
    set("own3");
    waitFor(() -> calls.size() == 1);
    get(vertx.undeploy(id));
    set("own3");
    Thread.sleep(300);
    assertEquals(1, calls.size(), "the trigger fired after its verticle was undeployed");
    get(observer.close());
  }

  @Test
  void aTriggerRegisteredOnceByManyFiresOnceAndLivesWhileAnyHoldsIt() throws Exception {
    CopyOnWriteArrayList<Object> calls = new CopyOnWriteArrayList<>();
    Worker a = Worker.create(vertx);
    Worker b = Worker.create(vertx);
    for (Worker w : new Worker[] {a, b}) {
      get(w.registerFunction("own::once", in -> {
        calls.add(in);
        return Future.succeededFuture(FunctionResult.NONE);
      }));
    }
    get(a.registerTriggerOnce("own-once", "stream", "own::once", onStream("own4")));
    get(b.registerTriggerOnce("own-once", "stream", "own::once", onStream("own4")));
    set("own4");
    waitFor(() -> calls.size() >= 1);
    Thread.sleep(200);
    assertEquals(1, calls.size(), "fired once, not once per registrant");
    get(b.close()); // the catalog's copy was b's; a still holds it
    get(a.registerFunction("own::once", in -> {
      calls.add(in);
      return Future.succeededFuture(FunctionResult.NONE);
    }));
    set("own4");
    waitFor(() -> calls.size() == 2);
    get(a.close());
    set("own4");
    Thread.sleep(300);
    assertEquals(2, calls.size(), "gone once the last holder closed");
  }

  private static void waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("condition not met within 20 s");
      }
      Thread.sleep(20);
    }
  }
}
