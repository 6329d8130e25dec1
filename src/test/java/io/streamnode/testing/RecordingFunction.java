package io.streamnode.testing;

import io.streamnode.api.Worker;
import io.streamnode.function.FunctionHandler;
import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.List;

/**
 * A function served by a {@link Worker} that records every input it is called with and answers
 * with a handler of the test's choice. A test awaits the n-th call with {@link #calls(int)}.
 * Thread-safe.
 */
public final class RecordingFunction {

  private final List<Object> inputs = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private final FunctionHandler answer;

  private record Waiter(int count, Promise<List<Object>> promise) {
  }

  private RecordingFunction(FunctionHandler answer) {
    this.answer = answer;
  }

  /** Registers {@code functionId} on {@code worker}; completes once it is callable. */
  public static Future<RecordingFunction> register(Worker worker, String functionId, FunctionHandler answer) {
    RecordingFunction f = new RecordingFunction(answer);
    return worker.registerFunction(functionId, f::handle).map(f);
  }

  /** Registers a function that answers with no result. */
  public static Future<RecordingFunction> register(Worker worker, String functionId) {
    return register(worker, functionId, input -> Future.succeededFuture(FunctionResult.NONE));
  }

  private Future<FunctionResult> handle(Object input) {
    List<Runnable> ready = new ArrayList<>();
    synchronized (this) {
      inputs.add(input);
      waiters.removeIf(w -> {
        if (inputs.size() < w.count) {
          return false;
        }
        List<Object> first = new ArrayList<>(inputs.subList(0, w.count));
        ready.add(() -> w.promise.complete(first));
        return true;
      });
    }
    ready.forEach(Runnable::run);
    return answer.handle(input);
  }

  /** Completes with the inputs of the first {@code count} calls once they have been made. */
  public synchronized Future<List<Object>> calls(int count) {
    if (inputs.size() >= count) {
      return Future.succeededFuture(new ArrayList<>(inputs.subList(0, count)));
    }
    Promise<List<Object>> promise = Promise.promise();
    waiters.add(new Waiter(count, promise));
    return promise.future();
  }

  /** The inputs of every call so far. */
  public synchronized List<Object> inputs() {
    return new ArrayList<>(inputs);
  }
}
