package io.streamnode.store.event;

import io.streamnode.metrics.NodeMetrics;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;

/**
 * A group event built before its write, with one gap that only the write can fill: the change
 * type ({@code create} or {@code update}) or, for a delete, the removed value. The frame is
 * {@code before + gap + after}, so a storage that applies the write somewhere else (a Redis
 * script) completes it by concatenation, without knowing the frame's format.
 */
public final class EventDraft {

  private final String stream;
  private final String group;
  private final String id;
  private final long timestamp;
  private final Buffer before;
  private final Buffer after;
  /** Whether the gap is the change type, counted by {@link NodeMetrics} once the write has filled it. */
  private boolean upsert;
  private final String callId;

  private EventDraft(String stream, String group, String id, long timestamp, Buffer before, Buffer after,
                     String callId) {
    this.stream = stream;
    this.group = group;
    this.id = id;
    this.timestamp = timestamp;
    this.before = before;
    this.after = after;
    this.callId = callId;
  }

  /**
   * The same draft for the call {@code callId} (null: none): a storage that remembers the calls it
   * applied answers a call sent again (after its group's owner died) without applying it twice.
   */
  public EventDraft withCallId(String callId) {
    if (callId == null && this.callId == null) {
      return this;
    }
    EventDraft copy = new EventDraft(stream, group, id, timestamp, before, after, callId);
    copy.upsert = upsert;
    return copy;
  }

  /** The call this write belongs to, or null. */
  public String callId() {
    return callId;
  }

  /** A set or update: the gap is the type, {@code create} when the item was absent, else {@code update}. */
  public static EventDraft upsert(String stream, String group, String id, long timestamp, Buffer encodedData) {
    Buffer frame = StreamEvent.change(stream, group, id, timestamp, "\u0000", encodedData).frame();
    EventDraft draft = split(stream, group, id, timestamp, frame);
    draft.upsert = true;
    return draft;
  }

  /** A delete: the gap is the removed value's JSON text. */
  public static EventDraft deletion(String stream, String group, String id, long timestamp) {
    Buffer frame = StreamEvent.change(stream, group, id, timestamp, "delete", Buffer.buffer("\u0000")).frame();
    return split(stream, group, id, timestamp, frame);
  }

  /** A {@code stream::send} event: complete already, the gap is empty. */
  public static EventDraft custom(String stream, String group, String id, long timestamp, String type,
                                  Buffer encodedData) {
    return whole(StreamEvent.custom(stream, group, id, timestamp, type, encodedData));
  }

  /**
   * An event complete already (not yet numbered), the gap empty: e.g. the change a custom stream
   * implementation made, which the storage only numbers and publishes.
   */
  public static EventDraft whole(StreamEvent event) {
    return new EventDraft(event.stream(), event.group(), event.id(), event.timestamp(), event.frame(), Buffer.buffer(), null);
  }

  // The NUL marks the gap: JSON text never holds a raw NUL (strings escape it as \u0000).
  private static EventDraft split(String stream, String group, String id, long timestamp, Buffer frame) {
    byte[] bytes = frame.getBytes();
    int gap = 0;
    while (bytes[gap] != 0) {
      gap++;
    }
    return new EventDraft(stream, group, id, timestamp, frame.getBuffer(0, gap), frame.getBuffer(gap + 1, bytes.length), null);
  }

  public String stream() {
    return stream;
  }

  public String group() {
    return group;
  }

  /** The item id, or {@code null} for a group-level custom event. */
  public String id() {
    return id;
  }

  /** When the event was made (milliseconds since the epoch), as in its frame. */
  public long timestamp() {
    return timestamp;
  }

  /** The frame up to the gap. */
  public Buffer before() {
    return before;
  }

  /** The frame after the gap. */
  public Buffer after() {
    return after;
  }

  /** The routing fields as JSON array elements: {@code "stream","group","id"|null]}. */
  public String routeTail() {
    return Json.encode(stream) + "," + Json.encode(group) + "," + (id == null ? "null" : Json.encode(id)) + "]";
  }

  /** The event with the gap filled, at its position in the group's history. */
  public StreamEvent complete(GroupPosition position, Buffer gap) {
    if (upsert) NodeMetrics.eventPublished(gap.length() > 0 && gap.getByte(0) == 'c' ? "create" : "update");
    return new StreamEvent(stream, group, id, position.epoch(), position.offset(), timestamp, fill(gap));
  }

  /** The frame with the gap filled. */
  public Buffer fill(Buffer gap) {
    if (gap.length() == 0 && after.length() == 0) {
      return before;
    }
    return Buffer.buffer(before.length() + gap.length() + after.length())
        .appendBuffer(before).appendBuffer(gap).appendBuffer(after);
  }

  /** The gap of a set or update: {@code create} when the item was absent, else {@code update}. */
  public static Buffer upsertGap(boolean existed) {
    return existed ? UPDATE : CREATE;
  }

  private static final Buffer CREATE = Buffer.buffer("create");
  private static final Buffer UPDATE = Buffer.buffer("update");
}
