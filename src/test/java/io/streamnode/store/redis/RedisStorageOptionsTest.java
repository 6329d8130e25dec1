package io.streamnode.store.redis;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RedisStorageOptionsTest {

  @Test
  void anEmptyConfigGivesTheDefaults() {
    assertEquals(new RedisStorageOptions().toJson(), new RedisStorageOptions(new JsonObject()).toJson());
    assertEquals(300_000L, new RedisStorageOptions().getEmptiedGroupTtlMs());
  }

  @Test
  void everyKeyIsReadAndWrittenBack() {
    JsonObject config = new JsonObject()
        .put("redis_url", "redis://10.0.0.1:6380/2")
        .put("channel", "c")
        .put("command_timeout_ms", 100L)
        .put("reconnect_interval_ms", 50L)
        .put("update_attempts", 3)
        .put("max_pool_size", 2)
        .put("emptied_group_ttl_ms", 1234L);
    RedisStorageOptions options = new RedisStorageOptions(config);
    assertEquals(config, options.toJson());
    assertEquals(config, new RedisStorageOptions(options).toJson());
  }
}
