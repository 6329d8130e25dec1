package io.streamnode.store;

import io.streamnode.store.redis.RedisStorageOptions;
import io.vertx.core.json.JsonObject;

/**
 * Which storage adapter holds the data (YAML section {@code adapter}), as iii's stream worker
 * names them: {@code kv} (default) or {@code redis}. The {@code config} block is the adapter's
 * own and is read by it; the keys below are the ones streamnode's adapters understand.
 */
public class AdapterOptions {

  /** Adapter name: {@code kv} or {@code redis}. */
  public static final String DEFAULT_NAME = "kv";
  /** kv: {@code in_memory} (lost on exit) or {@code file_based} (durable, under {@code file_path}). */
  public static final String DEFAULT_STORE_METHOD = "in_memory";
  /** kv file_based: the directory holding the log and snapshot. */
  public static final String DEFAULT_FILE_PATH = "./data/streams";
  /** kv file_based: how often to check whether the log needs compacting, in milliseconds (floor 100). */
  public static final int DEFAULT_SAVE_INTERVAL_MS = 5000;
  /** redis: the server URL; the redis adapter reads its other keys itself ({@code RedisStorageOptions}). */
  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

  private String name = DEFAULT_NAME;
  private JsonObject config = defaultConfig();

  public AdapterOptions() {
  }

  public AdapterOptions(AdapterOptions other) {
    this(other.toJson());
  }

  public AdapterOptions(JsonObject json) {
    name = json.getString("name", DEFAULT_NAME);
    JsonObject given = json.getJsonObject("config", new JsonObject());
    config = defaultConfig().mergeIn(given);
  }

  private static JsonObject defaultConfig() {
    return new JsonObject()
        .put("store_method", DEFAULT_STORE_METHOD)
        .put("file_path", DEFAULT_FILE_PATH)
        .put("save_interval_ms", DEFAULT_SAVE_INTERVAL_MS)
        .put("redis_url", DEFAULT_REDIS_URL)
        .mergeIn(new RedisStorageOptions().setRedisUrl(DEFAULT_REDIS_URL).toJson());
  }

  public JsonObject toJson() {
    return new JsonObject().put("name", name).put("config", config.copy());
  }

  public String getName() { return name; }
  public AdapterOptions setName(String name) { this.name = name; return this; }
  /** The adapter's config block, defaults filled in. */
  public JsonObject getConfig() { return config; }
  public AdapterOptions setConfig(JsonObject config) { this.config = defaultConfig().mergeIn(config); return this; }

  /** The kv store method, {@code in_memory} or {@code file_based}. */
  public String storeMethod() {
    return config.getString("store_method", DEFAULT_STORE_METHOD);
  }

  /** A short description for the start-up log. */
  public String describe() {
    if ("redis".equals(name)) {
      return "redis " + config.getString("redis_url").replaceFirst("//[^/@]*@", "//***@");
    }
    return "kv " + storeMethod() + ("file_based".equals(storeMethod()) ? " " + config.getString("file_path") : "");
  }
}
