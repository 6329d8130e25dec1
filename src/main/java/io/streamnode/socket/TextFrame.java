package io.streamnode.socket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;

/**
 * A complete server-to-client WebSocket text frame (RFC 6455 section 5.2: FIN + opcode 1, no mask,
 * 7/16/64-bit payload length, payload), built once so that the same bytes can be written to every
 * subscriber. Netty's frame encoder would build a new header, and for small frames copy the
 * payload into a new buffer, on every socket.
 */
final class TextFrame {

  private static final int FIN_TEXT = 0x81;

  private TextFrame() {
  }

  /**
   * Encodes {@code payload} (UTF-8 JSON) as one frame in a direct buffer from {@code alloc}; the
   * caller owns the returned buffer (reference count 1).
   */
  static ByteBuf encode(Buffer payload, ByteBufAllocator alloc) {
    ByteBuf bytes = ((BufferInternal) payload).getByteBuf();
    int length = bytes.readableBytes();
    return header(alloc, length, length).writeBytes(bytes, bytes.readerIndex(), length);
  }

  /**
   * A direct buffer holding the header of a frame whose payload is {@code payloadLength} bytes,
   * with room for {@code room} more bytes (the payload, or the part of it the caller writes there).
   */
  static ByteBuf header(ByteBufAllocator alloc, long payloadLength, int room) {
    ByteBuf frame = alloc.directBuffer((payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10) + room);
    frame.writeByte(FIN_TEXT);
    if (payloadLength < 126) {
      frame.writeByte((int) payloadLength);
    } else if (payloadLength <= 0xFFFF) {
      frame.writeByte(126).writeShort((int) payloadLength);
    } else {
      frame.writeByte(127).writeLong(payloadLength);
    }
    return frame;
  }
}
