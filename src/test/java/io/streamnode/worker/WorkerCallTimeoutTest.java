package io.streamnode.worker;

import io.streamnode.config.NodeOptions;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * {@code limits.call_timeout_ms} bounds a call of a worker's function (WIRE.md 4.4). On its own
 * node with a short timeout: the calls of {@link WorkerFunctionCallTest} must be answered, and a
 * short timeout there failed them whenever a loaded machine stalled the answering test thread.
 */
class WorkerCallTimeoutTest extends WorkerTestBase {

  @Override
  protected NodeOptions options() {
    NodeOptions options = super.options();
    options.getLimits().setCallTimeoutMs(800);
    return options;
  }

  @Test
  void aCallTheWorkerDoesNotAnswerTimesOutAndTheLateResultIsIgnored() throws Exception {
    try (RawWorker worker = worker()) {
      worker.send(registerFunction("slow"));
      sync(worker);
      // A caller willing to wait longer than the node still gets the node's timeout.
      Future<FunctionResult> call = new io.streamnode.function.FunctionBus(vertx, 10_000).call("slow", 1);
      JsonObject invoke = worker.next("invokefunction");
      FunctionException e = assertInstanceOf(FunctionException.class, assertThrows(Exception.class, call::await));
      assertEquals("timeout", e.code());
      worker.send(result(invoke, "late"));
      sync(worker);
    }
  }
}
