package io.streamnode.metrics;

import io.micrometer.core.instrument.Timer;
import io.streamnode.function.FunctionHandler;
import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;

import java.util.concurrent.TimeUnit;

/**
 * Times the store's functions ({@code streamnode_store_operation_seconds{adapter,operation,outcome}}):
 * the store wraps each handler once, at start, so a call costs two clock reads and one record.
 */
public final class StoreMeters {

  private StoreMeters() {
  }

  /** The adapter label of a storage: memory, file, redis, hazelcast (else its class name). */
  public static String adapter(Object storage) {
    String name = storage.getClass().getSimpleName();
    return switch (name) {
      case "MemoryStorage" -> "memory";
      case "FileStorage" -> "file";
      case "RedisStorage" -> "redis";
      case "HazelcastStorage" -> "hazelcast";
      default -> name;
    };
  }

  /** {@code handler}, timed under {@code operation} (the function id, e.g. {@code stream::set}). */
  public static FunctionHandler timed(String adapter, String operation, FunctionHandler handler) {
    Timer ok = NodeMetrics.storeTimer(adapter, operation, "ok");
    Timer error = NodeMetrics.storeTimer(adapter, operation, "error");
    return input -> {
      long start = System.nanoTime();
      Future<FunctionResult> result = handler.handle(input);
      result.onComplete(ar -> (ar.succeeded() ? ok : error).record(System.nanoTime() - start, TimeUnit.NANOSECONDS));
      return result;
    };
  }
}
