package io.streamnode.worker;

import io.streamnode.testing.ClientFrames;
import io.vertx.core.json.JsonObject;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A worker-socket client on a plain blocking {@link Socket} with a small receive buffer, for tests
 * of a worker that stops reading: between its reads nothing reads for it (a Vert.x client keeps
 * reading into memory even when paused), so what it is sent stays queued on the node, as for a
 * worker on a slow network.
 */
final class StalledWorker implements AutoCloseable {

  private final Socket socket;
  private final DataInputStream in;
  private final OutputStream out;

  StalledWorker(int port) throws IOException {
    socket = new Socket();
    socket.setReceiveBufferSize(8192); // before connecting: the TCP window stays small
    socket.setSoTimeout(10_000);
    socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    in = new DataInputStream(socket.getInputStream());
    out = socket.getOutputStream();
    byte[] key = new byte[16];
    ThreadLocalRandom.current().nextBytes(key);
    out.write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        + "Sec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key) + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
        .getBytes(StandardCharsets.US_ASCII));
    out.flush();
    String head = readHead();
    if (!head.startsWith("HTTP/1.1 101")) {
      throw new IOException("upgrade refused: " + head);
    }
  }

  private String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      head.write(in.readUnsignedByte());
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /** Sends one JSON text frame (masked, as a client must). */
  StalledWorker send(JsonObject frame) throws IOException {
    byte[] mask = new byte[4];
    ThreadLocalRandom.current().nextBytes(mask);
    out.write(ClientFrames.text(frame.encode().getBytes(StandardCharsets.UTF_8), mask));
    out.flush();
    return this;
  }

  /** Reads messages until a text message of {@code type}; fails on a close or after 10 s of silence. */
  JsonObject next(String type) throws IOException {
    while (true) {
      JsonObject json = nextMessage();
      if (type.equals(json.getString("type"))) {
        return json;
      }
    }
  }

  /** The next complete text message (a large one arrives in several frames); fails on a close. */
  JsonObject nextMessage() throws IOException {
    ByteArrayOutputStream message = new ByteArrayOutputStream();
    while (true) {
      Frame frame = readFrame();
      if (frame.opcode == 8) {
        throw new IOException("closed by the node");
      }
      if (frame.opcode == 1 || frame.opcode == 0) {
        message.write(frame.payload);
        if (frame.fin) {
          return new JsonObject(message.toString(StandardCharsets.UTF_8));
        }
      }
    }
  }

  /** Reads (and drops) everything until the node's close frame: its status code, or -1 if the connection just ended. */
  int readUntilClose() throws IOException {
    long frames = 0;
    long bytes = 0;
    try {
      while (true) {
        Frame frame = readFrame();
        frames++;
        bytes += frame.payload.length;
        if (frame.opcode == 8) {
          return frame.payload.length >= 2 ? ((frame.payload[0] & 0xff) << 8) | (frame.payload[1] & 0xff) : -1;
        }
      }
    } catch (java.io.EOFException ended) {
      return -1;
    } catch (IOException e) {
      throw new IOException(e.getMessage() + " after " + frames + " frames, " + bytes + " bytes", e);
    }
  }

  private record Frame(boolean fin, int opcode, byte[] payload) {
  }

  private Frame readFrame() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    long length = b1 & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Frame((b0 & 0x80) != 0, b0 & 0x0f, payload);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
