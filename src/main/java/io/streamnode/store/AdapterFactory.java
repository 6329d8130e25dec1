package io.streamnode.store;

import io.streamnode.store.kv.FileStorage;
import io.streamnode.store.kv.FileStorageOptions;
import io.streamnode.store.kv.MemoryStorage;
import io.streamnode.store.redis.RedisStorage;
import io.streamnode.store.redis.RedisStorageOptions;
import io.streamnode.store.event.HistoryOptions;
import io.vertx.core.Vertx;

/** Builds the {@link StreamStorage} an {@link AdapterOptions} names. */
public final class AdapterFactory {

  private AdapterFactory() {
  }

  /** A new, not yet opened, storage with the default history bounds. */
  public static StreamStorage create(Vertx vertx, AdapterOptions options) {
    return create(vertx, options, new HistoryOptions());
  }

  /** A new, not yet opened, storage. Unknown names fail with {@link IllegalArgumentException}. */
  public static StreamStorage create(Vertx vertx, AdapterOptions options, HistoryOptions history) {
    switch (options.getName()) {
      case "kv":
        if ("file_based".equals(options.storeMethod())) {
          return new FileStorage(vertx, new FileStorageOptions(options.getConfig()), history);
        }
        return new MemoryStorage(history);
      case "redis":
        return new RedisStorage(vertx, new RedisStorageOptions(options.getConfig()), history);
      default:
        throw new IllegalArgumentException("adapter.name: unknown adapter '" + options.getName() + "' (expected kv or redis)");
    }
  }
}
