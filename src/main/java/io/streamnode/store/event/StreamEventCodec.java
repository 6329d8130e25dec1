package io.streamnode.store.event;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * Event-bus codec for {@link StreamEvent}: passed by reference on one node (it is immutable),
 * length-prefixed fields plus the frame bytes between cluster members.
 */
public final class StreamEventCodec extends ByReferenceCodec<StreamEvent> {

  public static final String NAME = "streamnode.event";

  public StreamEventCodec() {
    super(NAME);
  }

  @Override
  public void encodeToWire(Buffer buffer, StreamEvent e) {
    buffer.appendLong(e.offset()).appendLong(e.timestamp());
    putString(buffer, e.epoch());
    putString(buffer, e.stream());
    putString(buffer, e.group());
    putString(buffer, e.id());
    buffer.appendInt(e.frame().length()).appendBuffer(e.frame());
  }

  @Override
  public StreamEvent decodeFromWire(int pos, Buffer buffer) {
    long offset = buffer.getLong(pos);
    long timestamp = buffer.getLong(pos + 8);
    pos += 16;
    String[] s = new String[4];
    for (int k = 0; k < 4; k++) {
      int len = buffer.getInt(pos);
      pos += 4;
      if (len >= 0) {
        s[k] = buffer.getString(pos, pos + len, StandardCharsets.UTF_8.name());
        pos += len;
      }
    }
    int frameLen = buffer.getInt(pos);
    pos += 4;
    return new StreamEvent(s[1], s[2], s[3], s[0], offset, timestamp, buffer.getBuffer(pos, pos + frameLen));
  }

  private static void putString(Buffer buffer, String value) {
    if (value == null) {
      buffer.appendInt(-1);
      return;
    }
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    buffer.appendInt(bytes.length).appendBytes(bytes);
  }
}
