package io.streamnode.testing;

/** WebSocket frames as a client writes them on a raw socket (tests that bypass a WebSocket client). */
public final class ClientFrames {

  private ClientFrames() {
  }

  /** A final text frame masked with an all-zero key, which leaves the payload bytes as they are. */
  public static byte[] text(byte[] payload) {
    return text(payload, new byte[4]);
  }

  /** A final text frame masked with {@code mask} (4 bytes), as a client must; payload under 64 KiB. */
  public static byte[] text(byte[] payload, byte[] mask) {
    if (payload.length > 0xFFFF) {
      throw new IllegalArgumentException("payload of " + payload.length + " bytes: only 7- and 16-bit lengths here");
    }
    boolean small = payload.length < 126;
    byte[] frame = new byte[(small ? 2 : 4) + 4 + payload.length];
    frame[0] = (byte) 0x81;
    int i = 1;
    if (small) {
      frame[i++] = (byte) (0x80 | payload.length);
    } else {
      frame[i++] = (byte) (0x80 | 126);
      frame[i++] = (byte) (payload.length >> 8);
      frame[i++] = (byte) payload.length;
    }
    System.arraycopy(mask, 0, frame, i, 4);
    i += 4;
    for (int k = 0; k < payload.length; k++) {
      frame[i + k] = (byte) (payload[k] ^ mask[k & 3]);
    }
    return frame;
  }
}
