package io.streamnode.store.redis;

import io.vertx.core.json.JsonObject;

/**
 * Options of the {@code redis} adapter, read from {@code adapter.config}.
 */
public class RedisStorageOptions {

  /** {@code redis_url}: the server, {@code redis://[:password@]host:port[/db]}. */
  public static final String DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";
  /**
   * {@code channel}: the Redis pub/sub channel events travel on. Pub/sub ignores the database
   * number, so deployments sharing a server on different databases need different channels.
   */
  public static final String DEFAULT_CHANNEL = "streamnode::events";
  /** {@code command_timeout_ms}: a Redis command not answered within this many milliseconds fails. */
  public static final long DEFAULT_COMMAND_TIMEOUT_MS = 2000;
  /** {@code reconnect_interval_ms}: pause between attempts to resubscribe after losing Redis, in milliseconds. */
  public static final long DEFAULT_RECONNECT_INTERVAL_MS = 500;
  /** {@code update_attempts}: compare-and-set rounds of one {@code stream::update} before it fails. */
  public static final int DEFAULT_UPDATE_ATTEMPTS = 64;
  /** {@code max_pool_size}: command connections to Redis. */
  public static final int DEFAULT_MAX_POOL_SIZE = 8;
  /**
   * {@code emptied_group_ttl_ms}: how long a group without items (its last item deleted, or a group
   * that only ever got {@code stream::send}s) keeps its position after its last event, in
   * milliseconds; written again later it starts a new epoch. Never less than {@code history.ttl_ms},
   * so a client can resume for as long as the history holds the events.
   */
  public static final long DEFAULT_EMPTIED_GROUP_TTL_MS = 300_000;

  private String redisUrl = DEFAULT_REDIS_URL;
  private String channel = DEFAULT_CHANNEL;
  private long commandTimeoutMs = DEFAULT_COMMAND_TIMEOUT_MS;
  private long reconnectIntervalMs = DEFAULT_RECONNECT_INTERVAL_MS;
  private int updateAttempts = DEFAULT_UPDATE_ATTEMPTS;
  private int maxPoolSize = DEFAULT_MAX_POOL_SIZE;
  private long emptiedGroupTtlMs = DEFAULT_EMPTIED_GROUP_TTL_MS;

  public RedisStorageOptions() {
  }

  public RedisStorageOptions(RedisStorageOptions other) {
    this(other.toJson());
  }

  public RedisStorageOptions(JsonObject json) {
    redisUrl = json.getString("redis_url", DEFAULT_REDIS_URL);
    channel = json.getString("channel", DEFAULT_CHANNEL);
    commandTimeoutMs = json.getLong("command_timeout_ms", DEFAULT_COMMAND_TIMEOUT_MS);
    reconnectIntervalMs = json.getLong("reconnect_interval_ms", DEFAULT_RECONNECT_INTERVAL_MS);
    updateAttempts = json.getInteger("update_attempts", DEFAULT_UPDATE_ATTEMPTS);
    maxPoolSize = json.getInteger("max_pool_size", DEFAULT_MAX_POOL_SIZE);
    emptiedGroupTtlMs = json.getLong("emptied_group_ttl_ms", DEFAULT_EMPTIED_GROUP_TTL_MS);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("redis_url", redisUrl)
        .put("channel", channel)
        .put("command_timeout_ms", commandTimeoutMs)
        .put("reconnect_interval_ms", reconnectIntervalMs)
        .put("update_attempts", updateAttempts)
        .put("max_pool_size", maxPoolSize)
        .put("emptied_group_ttl_ms", emptiedGroupTtlMs);
  }

  public String getRedisUrl() { return redisUrl; }
  public RedisStorageOptions setRedisUrl(String redisUrl) { this.redisUrl = redisUrl; return this; }
  public String getChannel() { return channel; }
  public RedisStorageOptions setChannel(String channel) { this.channel = channel; return this; }
  public long getCommandTimeoutMs() { return commandTimeoutMs; }
  public RedisStorageOptions setCommandTimeoutMs(long commandTimeoutMs) { this.commandTimeoutMs = commandTimeoutMs; return this; }
  public long getReconnectIntervalMs() { return reconnectIntervalMs; }
  public RedisStorageOptions setReconnectIntervalMs(long reconnectIntervalMs) { this.reconnectIntervalMs = reconnectIntervalMs; return this; }
  public int getUpdateAttempts() { return updateAttempts; }
  public RedisStorageOptions setUpdateAttempts(int updateAttempts) { this.updateAttempts = updateAttempts; return this; }
  public int getMaxPoolSize() { return maxPoolSize; }
  public RedisStorageOptions setMaxPoolSize(int maxPoolSize) { this.maxPoolSize = maxPoolSize; return this; }
  public long getEmptiedGroupTtlMs() { return emptiedGroupTtlMs; }
  public RedisStorageOptions setEmptiedGroupTtlMs(long emptiedGroupTtlMs) { this.emptiedGroupTtlMs = emptiedGroupTtlMs; return this; }
}
