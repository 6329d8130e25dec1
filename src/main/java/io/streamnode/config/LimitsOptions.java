package io.streamnode.config;

import io.vertx.core.json.JsonObject;

/**
 * Every limit the node enforces, in one options object (YAML section {@code limits}).
 * A limit is never a literal in the code: components read it from here.
 */
public class LimitsOptions {

  /**
   * Largest WebSocket message a client may send, in bytes. Larger: that socket is closed with 1009
   * "message too big". A single frame over twice this size is refused by the decoder before it is
   * buffered, and the connection is dropped without a close frame.
   */
  public static final int DEFAULT_MAX_FRAME_BYTES = 1024 * 1024;
  /** Largest HTTP request body, in bytes. Larger: 413 {@code payload_too_large}. */
  public static final int DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
  /** Longest stream name, group id or item id, in UTF-8 bytes. */
  public static final int DEFAULT_MAX_NAME_BYTES = 256;
  /** Largest stored item value, encoded as JSON, in bytes. */
  public static final int DEFAULT_MAX_ITEM_BYTES = 512 * 1024;
  /** Most subscriptions one stream-socket connection may hold at once. */
  public static final int DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION = 1000;
  /** Bytes a connection may have queued for sending before it counts as a slow consumer and is closed. */
  public static final int DEFAULT_OUTBOUND_QUEUE_BYTES = 1024 * 1024;
  /** How long a function call (HTTP API, triggers, join handlers, auth) may take, in milliseconds. */
  public static final long DEFAULT_CALL_TIMEOUT_MS = 30_000;
  /** Most trigger handler calls in flight at once; beyond it new trigger calls are dropped with a warning. */
  public static final int DEFAULT_MAX_PENDING_TRIGGER_CALLS = 10_000;
  /** Most WebSocket connections open at once on a node (all listeners); beyond, upgrades get 503. */
  public static final int DEFAULT_MAX_CONNECTIONS = 100_000;
  /** Most WebSocket connections from one IP address; beyond, upgrades get 503. 0: no limit. */
  public static final int DEFAULT_MAX_CONNECTIONS_PER_IP = 0;

  /**
   * Events held for one subscription while its sync is on its way; beyond it they are dropped and
   * the subscription syncs again once the first sync is out (no event is lost, memory stays bounded).
   */
  public static final int DEFAULT_MAX_HELD_EVENTS = 10_000;
  private int maxHeldEvents = DEFAULT_MAX_HELD_EVENTS;
  private int maxFrameBytes = DEFAULT_MAX_FRAME_BYTES;
  private int maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
  private int maxNameBytes = DEFAULT_MAX_NAME_BYTES;
  private int maxItemBytes = DEFAULT_MAX_ITEM_BYTES;
  private int maxSubscriptionsPerConnection = DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION;
  private int outboundQueueBytes = DEFAULT_OUTBOUND_QUEUE_BYTES;
  private long callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS;
  private int maxPendingTriggerCalls = DEFAULT_MAX_PENDING_TRIGGER_CALLS;
  private int maxConnections = DEFAULT_MAX_CONNECTIONS;
  private int maxConnectionsPerIp = DEFAULT_MAX_CONNECTIONS_PER_IP;

  public LimitsOptions() {
  }

  public LimitsOptions(LimitsOptions other) {
    this(other.toJson());
  }

  public LimitsOptions(JsonObject json) {
    maxFrameBytes = json.getInteger("max_frame_bytes", DEFAULT_MAX_FRAME_BYTES);
    maxBodyBytes = json.getInteger("max_body_bytes", DEFAULT_MAX_BODY_BYTES);
    maxNameBytes = json.getInteger("max_name_bytes", DEFAULT_MAX_NAME_BYTES);
    maxItemBytes = json.getInteger("max_item_bytes", DEFAULT_MAX_ITEM_BYTES);
    maxSubscriptionsPerConnection = json.getInteger("max_subscriptions_per_connection", DEFAULT_MAX_SUBSCRIPTIONS_PER_CONNECTION);
    outboundQueueBytes = json.getInteger("outbound_queue_bytes", DEFAULT_OUTBOUND_QUEUE_BYTES);
    callTimeoutMs = json.getLong("call_timeout_ms", DEFAULT_CALL_TIMEOUT_MS);
    maxPendingTriggerCalls = json.getInteger("max_pending_trigger_calls", DEFAULT_MAX_PENDING_TRIGGER_CALLS);
    maxConnections = json.getInteger("max_connections", DEFAULT_MAX_CONNECTIONS);
    maxConnectionsPerIp = json.getInteger("max_connections_per_ip", DEFAULT_MAX_CONNECTIONS_PER_IP);
    maxHeldEvents = json.getInteger("max_held_events", DEFAULT_MAX_HELD_EVENTS);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("max_frame_bytes", maxFrameBytes)
        .put("max_body_bytes", maxBodyBytes)
        .put("max_name_bytes", maxNameBytes)
        .put("max_item_bytes", maxItemBytes)
        .put("max_subscriptions_per_connection", maxSubscriptionsPerConnection)
        .put("outbound_queue_bytes", outboundQueueBytes)
        .put("call_timeout_ms", callTimeoutMs)
        .put("max_pending_trigger_calls", maxPendingTriggerCalls)
        .put("max_connections", maxConnections)
        .put("max_connections_per_ip", maxConnectionsPerIp)
        .put("max_held_events", maxHeldEvents);
  }

  public int getMaxFrameBytes() { return maxFrameBytes; }
  public LimitsOptions setMaxFrameBytes(int v) { maxFrameBytes = v; return this; }
  public int getMaxBodyBytes() { return maxBodyBytes; }
  public LimitsOptions setMaxBodyBytes(int v) { maxBodyBytes = v; return this; }
  public int getMaxNameBytes() { return maxNameBytes; }
  public LimitsOptions setMaxNameBytes(int v) { maxNameBytes = v; return this; }
  public int getMaxItemBytes() { return maxItemBytes; }
  public LimitsOptions setMaxItemBytes(int v) { maxItemBytes = v; return this; }
  public int getMaxSubscriptionsPerConnection() { return maxSubscriptionsPerConnection; }
  public LimitsOptions setMaxSubscriptionsPerConnection(int v) { maxSubscriptionsPerConnection = v; return this; }
  public int getOutboundQueueBytes() { return outboundQueueBytes; }
  public LimitsOptions setOutboundQueueBytes(int v) { outboundQueueBytes = v; return this; }
  public long getCallTimeoutMs() { return callTimeoutMs; }
  public LimitsOptions setCallTimeoutMs(long v) { callTimeoutMs = v; return this; }
  public int getMaxPendingTriggerCalls() { return maxPendingTriggerCalls; }
  public LimitsOptions setMaxPendingTriggerCalls(int v) { maxPendingTriggerCalls = v; return this; }
  public int getMaxConnections() { return maxConnections; }
  public LimitsOptions setMaxConnections(int v) { maxConnections = v; return this; }
  public int getMaxConnectionsPerIp() { return maxConnectionsPerIp; }
  public LimitsOptions setMaxConnectionsPerIp(int v) { maxConnectionsPerIp = v; return this; }
  public int getMaxHeldEvents() { return maxHeldEvents; }
  public LimitsOptions setMaxHeldEvents(int v) { maxHeldEvents = v; return this; }
}
