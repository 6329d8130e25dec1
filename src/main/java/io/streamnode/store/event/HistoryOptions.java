package io.streamnode.store.event;

import io.vertx.core.json.JsonObject;

/**
 * How much of each group's recent history a node keeps for clients that resume with
 * {@code since} (config key {@code history}). Events are kept while both bounds hold; either
 * bound at 0 turns history off (a resume then always gets a full sync).
 */
public class HistoryOptions {

  /** Events kept per group. */
  public static final int DEFAULT_SIZE = 1000;
  /** Age of the oldest event kept, in milliseconds (5 minutes). */
  public static final long DEFAULT_TTL_MS = 300_000;

  private int size = DEFAULT_SIZE;
  private long ttlMs = DEFAULT_TTL_MS;

  public HistoryOptions() {
  }

  public HistoryOptions(HistoryOptions other) {
    this.size = other.size;
    this.ttlMs = other.ttlMs;
  }

  public HistoryOptions(JsonObject json) {
    this.size = json.getInteger("size", DEFAULT_SIZE);
    this.ttlMs = json.getLong("ttl_ms", DEFAULT_TTL_MS);
  }

  public JsonObject toJson() {
    return new JsonObject().put("size", size).put("ttl_ms", ttlMs);
  }

  /** Whether any history is kept. */
  public boolean enabled() {
    return size > 0 && ttlMs > 0;
  }

  public int getSize() {
    return size;
  }

  public HistoryOptions setSize(int size) {
    this.size = size;
    return this;
  }

  public long getTtlMs() {
    return ttlMs;
  }

  public HistoryOptions setTtlMs(long ttlMs) {
    this.ttlMs = ttlMs;
    return this;
  }
}
