package io.streamnode.socket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.CompositeByteBuf;
import io.streamnode.store.event.EncodedSnapshot;
import io.streamnode.store.event.StreamEvent;
import io.vertx.core.internal.buffer.BufferInternal;

import java.nio.charset.StandardCharsets;

/**
 * The {@code sync} frame of a join, as one WebSocket text frame whose middle is the snapshot's
 * encoded data itself: a small head (frame header and wrapper up to {@code "data":}) and a small
 * tail around a view of the store's bytes, written with one gathering write. However large the
 * group, its data is encoded once (by the store) and copied by nobody on the way to the socket.
 *
 * <p>The wrapper is iii's: {@code {"type":"stream","timestamp":..,"streamName":..,"groupId":..,
 * "id":..,"event":{"type":"sync","data":..}}}; a subscription with positions also gets
 * {@code "recovered":false} in the event and the snapshot's {@code "position"} after it.
 */
final class SyncFrame {

  /** Data below this size is copied into the frame rather than referenced. */
  private static final int SMALL = 4096;

  private SyncFrame() {
  }

  /** The complete frame; the caller owns it (reference count 1). */
  static ByteBuf build(ByteBufAllocator alloc, String stream, String group, String item, long timestamp,
                       EncodedSnapshot snapshot, boolean positions) {
    byte[] head = (StreamEvent.wrapperHead(stream, group, item, timestamp) + "{\"type\":\"sync\",\"data\":")
        .getBytes(StandardCharsets.UTF_8);
    byte[] tail = (positions ? ",\"recovered\":false}" + StreamEvent.positionTail(snapshot.position()) : "}}")
        .getBytes(StandardCharsets.UTF_8);
    ByteBuf data = ((BufferInternal) snapshot.data()).getByteBuf();
    int dataLength = data.readableBytes();
    boolean small = dataLength < SMALL;
    ByteBuf start = TextFrame.header(alloc, (long) head.length + dataLength + tail.length,
        head.length + (small ? dataLength + tail.length : 0)).writeBytes(head);
    if (small) {
      // A small group: one buffer is cheaper than three parts.
      return start.writeBytes(data, data.readerIndex(), dataLength).writeBytes(tail);
    }
    CompositeByteBuf frame = alloc.compositeDirectBuffer(3);
    // A view of the store's bytes, not a copy; the composite releases its parts when written.
    frame.addComponents(true, start, data.retainedDuplicate(), alloc.directBuffer(tail.length).writeBytes(tail));
    return frame;
  }
}
