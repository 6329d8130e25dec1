package io.streamnode.store.event;

import io.streamnode.metrics.NodeMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * One change of a group, as it travels from the group's owner to the sockets and triggers:
 * the iii wrapper frame, encoded once, plus what routing needs (names, item id) and the group
 * position the event has in the group's history ({@link GroupPosition}). Immutable, so one
 * instance serves every subscriber on a node.
 */
public final class StreamEvent {

  private final String stream;
  private final String group;
  private final String id;
  private final String epoch;
  private final long offset;
  private final long timestamp;
  private final Buffer frame;
  /** The frame with its position appended, built on first use (see {@link #positionFrame()}). */
  private volatile Buffer positionFrame;

  public StreamEvent(String stream, String group, String id, String epoch, long offset, long timestamp, Buffer frame) {
    this.stream = stream;
    this.group = group;
    this.id = id;
    this.epoch = epoch;
    this.offset = offset;
    this.timestamp = timestamp;
    this.frame = frame;
  }

  /** The same event at {@code position} (a draft numbered by the storage that wrote it). */
  public StreamEvent at(GroupPosition position) {
    return new StreamEvent(stream, group, id, position.epoch(), position.offset(), timestamp, frame);
  }

  /** Builds a stored-item event ({@code create}, {@code update} or {@code delete}) with {@code data}. */
  public static StreamEvent change(String stream, String group, String id, long timestamp,
                                   String type, Buffer encodedData) {
    Buffer frame = header(stream, group, id, timestamp, encodedData.length() + 48)
        .appendString("{\"type\":\"").appendString(type).appendString("\",\"data\":")
        .appendBuffer(encodedData).appendString("}}");
    if (type.charAt(0) != 0) NodeMetrics.eventPublished(type); // NUL: a draft's gap, counted when it is filled
    return new StreamEvent(stream, group, id, UNNUMBERED, 0, timestamp, frame);
  }

  /** Builds a custom {@code stream::send} event: {@code {"type":"event","event":{"type":..,"data":..}}}. */
  public static StreamEvent custom(String stream, String group, String id, long timestamp,
                                   String eventType, Buffer encodedData) {
    Buffer frame = header(stream, group, id, timestamp, encodedData.length() + 64)
        .appendString("{\"type\":\"event\",\"event\":{\"type\":").appendString(Json.encode(eventType))
        .appendString(",\"data\":").appendBuffer(encodedData).appendString("}}}");
    NodeMetrics.customEventPublished();
    return new StreamEvent(stream, group, id, UNNUMBERED, 0, timestamp, frame);
  }

  /** The epoch of an event not yet numbered by its storage (a draft). */
  public static final String UNNUMBERED = "";

  /**
   * A wrapper (UTF-8 JSON object) with {@code ,"position":{"epoch":..,"offset":..}} added before its
   * closing brace: what clients that asked for positions receive. The rest is byte-for-byte iii's.
   */
  public static Buffer withPosition(Buffer wrapper, GroupPosition position) {
    String tail = positionTail(position);
    return Buffer.buffer(wrapper.length() + tail.length()).appendBuffer(wrapper, 0, wrapper.length() - 1)
        .appendString(tail);
  }

  /** Builds a frame that is not a group change (sync, unauthorized) for one socket. */
  public static Buffer frame(String stream, String group, String id, long timestamp, JsonObject event) {
    Buffer encoded = event.toBuffer();
    return header(stream, group, id, timestamp, encoded.length() + 2).appendBuffer(encoded).appendString("}");
  }

  private static Buffer header(String stream, String group, String id, long timestamp, int extra) {
    String head = wrapperHead(stream, group, id, timestamp);
    return Buffer.buffer(head.length() + extra).appendString(head);
  }

  /**
   * A wrapper up to its event: {@code {"type":"stream","timestamp":..,"streamName":..,"groupId":..,
   * "id":..,"event":}}, in the key order iii's serializer emits.
   */
  public static String wrapperHead(String stream, String group, String id, long timestamp) {
    return "{\"type\":\"stream\",\"timestamp\":" + timestamp
        + ",\"streamName\":" + Json.encode(stream)
        + ",\"groupId\":" + Json.encode(group)
        + ",\"id\":" + (id == null ? "null" : Json.encode(id))
        + ",\"event\":";
  }

  /** What ends a wrapper for a client that asked for positions: {@code ,"position":{"epoch":..,"offset":..}}}. */
  public static String positionTail(GroupPosition position) {
    return ",\"position\":{\"epoch\":" + Json.encode(position.epoch()) + ",\"offset\":" + position.offset() + "}}";
  }

  public String stream() {
    return stream;
  }

  public String group() {
    return group;
  }

  /** The item id, or {@code null} for a group-level event. */
  public String id() {
    return id;
  }

  /** The epoch of the group's history this event belongs to. */
  public String epoch() {
    return epoch;
  }

  /** The event's offset in its epoch: exactly one more than the group's previous event. */
  public long offset() {
    return offset;
  }

  /** The event's position in its group's history. */
  public GroupPosition position() {
    return new GroupPosition(epoch, offset);
  }

  /** When the event was made (milliseconds since the epoch), as in its frame. */
  public long timestamp() {
    return timestamp;
  }

  /** {@link #frame()} with this event's position added, for clients that asked for positions. */
  public Buffer positionFrame() {
    Buffer b = positionFrame;
    if (b == null) {
      positionFrame = b = withPosition(frame, position());
    }
    return b;
  }

  /** The wrapper JSON, UTF-8 encoded, exactly as sockets receive it. Do not modify. */
  public Buffer frame() {
    return frame;
  }

  /** The wrapper as a JSON object: the payload of {@code stream} trigger handlers. */
  public JsonObject toJson() {
    return new JsonObject(frame);
  }

  @Override
  public String toString() {
    return "StreamEvent[" + stream + "/" + group + "/" + id + " @" + epoch + "/" + offset + "]";
  }
}
