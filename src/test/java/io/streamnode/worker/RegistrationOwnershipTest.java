package io.streamnode.worker;

import io.streamnode.api.Worker;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.LogLines;
import io.streamnode.trigger.Trigger;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;
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
    // The old connection's cleanup is what is tested, so the write must come after it: wait for
    // the node to log it, not for a fixed time that a loaded machine can outlast.
    try (LogLines logged = LogLines.of(WorkerConnection.class.getName()); RawWorker fresh = worker()) {
      try (RawWorker old = worker()) {
        old.send(registerFunction("own::old")).send(registerTrigger("t-own", "stream", "own::old", onStream("own1")));
        sync(old);
        fresh.send(registerFunction("own::fresh")).send(registerTrigger("t-own", "stream", "own::fresh", onStream("own1")));
        sync(fresh);
      } // the old connection closes and cleans up
      waitFor(() -> logged.any(m -> m.startsWith("worker ") && m.contains(" disconnected;")));
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
      // A control registered after it: the triggers of one event run one after another in
      // registration order, so had t-theirs survived, its call would come first.
      owner.send(registerFunction("own::control"))
          .send(registerTrigger("t-control", "stream", "own::control", onStream("own2")));
      sync(owner);
      set("own2");
      JsonObject control = owner.next("invokefunction");
      assertEquals("own::control", control.getString("function_id"), "t-theirs fired after its owner removed it");
      owner.send(noResult(control));
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
    Control control = new Control(observer, "own3");
    set("own3");
    control.awaitCalls(1);
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
    Worker c = Worker.create(vertx);
    Control control = new Control(c, "own4");
    set("own4");
    control.awaitCalls(1);
    assertEquals(1, calls.size(), "fired once, not once per registrant");
    get(b.close()); // the catalog's copy was b's; a still holds it
    get(a.registerFunction("own::once", in -> {
      calls.add(in);
      return Future.succeededFuture(FunctionResult.NONE);
    }));
    set("own4");
    waitFor(() -> calls.size() == 2);
    get(a.close());
    // The function is served again, by a worker that never held the trigger: a trigger that
    // outlived its holders would now be called, and counted.
    get(c.registerFunction("own::once", in -> {
      calls.add(in);
      return Future.succeededFuture(FunctionResult.NONE);
    }));
    control.registerLast();
    set("own4");
    control.awaitCalls(3);
    assertEquals(2, calls.size(), "gone once the last holder closed");
    get(c.close());
  }

  /**
   * A stream trigger registered after the ones under test: the triggers of one event run one after
   * another in registration order, so once it has been called for a write, any trigger that was to
   * fire for that write has been called too, and its absence is proven rather than waited for.
   */
  private static final class Control {
    private final Worker worker;
    private final String stream;
    private final CopyOnWriteArrayList<Object> calls = new CopyOnWriteArrayList<>();

    Control(Worker worker, String stream) throws Exception {
      this.worker = worker;
      this.stream = stream;
      get(worker.registerFunction("own::control-" + stream, in -> {
        calls.add(in);
        return Future.succeededFuture(FunctionResult.NONE);
      }));
      registerLast();
    }

    /** Registers it again (same id): a trigger brought back since then comes before it again. */
    void registerLast() throws Exception {
      get(worker.registerTrigger(new Trigger("own-control-" + stream, "stream", "own::control-" + stream,
          onStream(stream), null)));
    }

    void awaitCalls(int n) throws InterruptedException {
      waitFor(() -> calls.size() >= n);
      assertEquals(n, calls.size(), "control calls");
    }
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
