package io.streamnode.presence;

import io.vertx.core.json.JsonObject;

/**
 * Options of presence (YAML section {@code presence}): who is subscribed to a group, and the
 * join/leave notices sent to the subscriptions that asked for them with {@code "presence": true}.
 */
public class PresenceOptions {

  /**
   * Notices are coalesced: each node sends at most one notice per group per interval (ms), listing
   * the joins and leaves it saw in that interval. 0 turns notices off (the function still answers).
   */
  public static final long DEFAULT_NOTICE_INTERVAL_MS = 1000;
  /** The most joins (and, separately, leaves) one notice lists; beyond, it says {@code "truncated": true}. */
  public static final int DEFAULT_MAX_NOTICE_ENTRIES = 100;

  private long noticeIntervalMs = DEFAULT_NOTICE_INTERVAL_MS;
  private int maxNoticeEntries = DEFAULT_MAX_NOTICE_ENTRIES;

  public PresenceOptions() {
  }

  public PresenceOptions(PresenceOptions other) {
    this(other.toJson());
  }

  public PresenceOptions(JsonObject json) {
    noticeIntervalMs = json.getLong("notice_interval_ms", DEFAULT_NOTICE_INTERVAL_MS);
    maxNoticeEntries = json.getInteger("max_notice_entries", DEFAULT_MAX_NOTICE_ENTRIES);
  }

  public JsonObject toJson() {
    return new JsonObject().put("notice_interval_ms", noticeIntervalMs).put("max_notice_entries", maxNoticeEntries);
  }

  public long getNoticeIntervalMs() { return noticeIntervalMs; }
  public PresenceOptions setNoticeIntervalMs(long v) { noticeIntervalMs = v; return this; }
  public int getMaxNoticeEntries() { return maxNoticeEntries; }
  public PresenceOptions setMaxNoticeEntries(int v) { maxNoticeEntries = v; return this; }
}
