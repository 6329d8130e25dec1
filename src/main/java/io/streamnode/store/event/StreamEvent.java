package io.streamnode.store.event;

import io.streamnode.metrics.NodeMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;

/**
 * One change of a group, as it travels from the group's owner to the sockets and triggers:
 * the iii wrapper frame, encoded once, plus what routing needs (names, item id, sequence).
 * Immutable, so one instance serves every subscriber on a node.
 */
public final class StreamEvent {

  private final String stream;
  private final String group;
  private final String id;
  private final long seq;
  private final Buffer frame;

  public StreamEvent(String stream, String group, String id, long seq, Buffer frame) {
    this.stream = stream;
    this.group = group;
    this.id = id;
    this.seq = seq;
    this.frame = frame;
  }

  /** Builds a stored-item event ({@code create}, {@code update} or {@code delete}) with {@code data}. */
  public static StreamEvent change(String stream, String group, String id, long seq, long timestamp,
                                   String type, Buffer encodedData) {
    Buffer frame = header(stream, group, id, timestamp, encodedData.length() + 48)
        .appendString("{\"type\":\"").appendString(type).appendString("\",\"data\":")
        .appendBuffer(encodedData).appendString("}}");
    if (type.charAt(0) != 0) NodeMetrics.eventPublished(type); // NUL: a draft's gap, counted when it is filled
    return new StreamEvent(stream, group, id, seq, frame);
  }

  /** Builds a custom {@code stream::send} event: {@code {"type":"event","event":{"type":..,"data":..}}}. */
  public static StreamEvent custom(String stream, String group, String id, long seq, long timestamp,
                                   String eventType, Buffer encodedData) {
    Buffer frame = header(stream, group, id, timestamp, encodedData.length() + 64)
        .appendString("{\"type\":\"event\",\"event\":{\"type\":").appendString(Json.encode(eventType))
        .appendString(",\"data\":").appendBuffer(encodedData).appendString("}}}");
    NodeMetrics.customEventPublished();
    return new StreamEvent(stream, group, id, seq, frame);
  }

  /** Builds a frame that is not a group change (sync, unauthorized) for one socket; seq is unused. */
  public static Buffer frame(String stream, String group, String id, long timestamp, JsonObject event) {
    Buffer encoded = event.toBuffer();
    return header(stream, group, id, timestamp, encoded.length() + 2).appendBuffer(encoded).appendString("}");
  }

  // Key order as iii's serializer emits it: type, timestamp, streamName, groupId, id, event.
  private static Buffer header(String stream, String group, String id, long timestamp, int extra) {
    String head = "{\"type\":\"stream\",\"timestamp\":" + timestamp
        + ",\"streamName\":" + Json.encode(stream)
        + ",\"groupId\":" + Json.encode(group)
        + ",\"id\":" + (id == null ? "null" : Json.encode(id))
        + ",\"event\":";
    return Buffer.buffer(head.length() + extra).appendString(head);
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

  /** The group's sequence number of this event: strictly increasing per group. */
  public long seq() {
    return seq;
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
    return "StreamEvent[" + stream + "/" + group + "/" + id + " #" + seq + "]";
  }
}
