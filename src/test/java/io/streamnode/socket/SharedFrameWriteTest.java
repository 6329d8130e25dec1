package io.streamnode.socket;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.testing.ClientFrames;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * How events leave the gateway: one WebSocket frame per event, built once and written to every
 * matching subscription, and the frames a socket gets in one event-loop turn flushed together
 * (one system call) rather than one flush per frame.
 */
@ExtendWith(VertxExtension.class)
class SharedFrameWriteTest {

  private StreamNode node;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext testContext) {
    TestNodes.start(vertx).onComplete(testContext.succeeding(n -> {
      node = n;
      testContext.completeNow();
    }));
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void theFramesOfOneEventForFortySubscriptionsOfOneSocketAreFlushedTogetherNotOneByOne(Vertx vertx) throws Exception {
    int subscriptions = 40;
    try (RawWebSocket ws = RawWebSocket.connect(node.streamSocketPort())) {
      for (int i = 0; i < subscriptions; i++) {
        ws.sendText(TestSocket.command("join", "s" + i, "burst", "g", null).encode());
        assertEquals("sync", new JsonObject(ws.readFrame()).getJsonObject("event").getString("type"));
      }
      // The server's write system calls are counted (syscw of each event-loop thread in
      // /proc/self/task: this JVM runs the node): flushed together, the 40 frames leave in one
      // write, one by one they would take 40. Counting calls, not how the client's reads happen
      // to split the bytes, keeps the check independent of scheduling on a loaded machine; and
      // only event-loop threads, where Netty writes, count: the whole process's count also took
      // the test runner's output and whatever earlier tests left running in this JVM.
      String data = "x".repeat(1000);
      long writesBefore = writeSyscalls();
      Worker.create(vertx).call("stream::set", new JsonObject().put("stream_name", "burst").put("group_id", "g")
          .put("item_id", "i").put("data", data)).await();
      List<String> frames = new ArrayList<>();
      for (int i = 0; i < subscriptions; i++) {
        frames.add(ws.readFrame());
      }
      long writes = writeSyscalls() - writesBefore;
      System.out.println("write system calls for one event to " + subscriptions + " subscriptions: " + writes);
      assertTrue(writes < subscriptions, writes + " write calls for the " + subscriptions + " frames of one event");
      for (String frame : frames) {
        JsonObject event = new JsonObject(frame).getJsonObject("event");
        assertEquals("create", event.getString("type"));
        assertEquals(data, event.getString("data"));
      }
    }
  }

  /**
   * How many write-family system calls this JVM's Vert.x event-loop threads have made so far
   * (Linux: the JVM gives each thread its name, cut to 15 characters, as the task's comm).
   */
  private static long writeSyscalls() throws IOException {
    long writes = 0;
    int loops = 0;
    try (java.util.stream.Stream<java.nio.file.Path> tasks = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/task"))) {
      for (java.nio.file.Path task : (Iterable<java.nio.file.Path>) tasks::iterator) {
        try {
          if (!java.nio.file.Files.readString(task.resolve("comm")).startsWith("vert.x-eventloo")) {
            continue;
          }
          for (String line : java.nio.file.Files.readAllLines(task.resolve("io"))) {
            if (line.startsWith("syscw:")) {
              writes += Long.parseLong(line.substring(6).trim());
              loops++;
            }
          }
        } catch (java.nio.file.NoSuchFileException ended) {
          // a thread that ended meanwhile
        }
      }
    }
    if (loops == 0) {
      throw new IllegalStateException("no event-loop thread with a syscw count in /proc/self/task");
    }
    return writes;
  }

  @Test
  @Timeout(value = 20, timeUnit = TimeUnit.SECONDS)
  void framesWithEachLengthEncodingArriveIntact(Vertx vertx, VertxTestContext testContext) {
    // The wrapper adds ~130 bytes to the data: these data lengths put frame payloads on both
    // sides of the 7-bit / 16-bit (126) and 16-bit / 64-bit (65,536) length forms of RFC 6455.
    int[] sizes = new int[2 * 41 + 2];
    for (int i = 0; i <= 40; i++) {
      sizes[i] = Math.max(0, 126 - 150 + i);
      sizes[41 + i] = 65_536 - 150 + i;
    }
    sizes[82] = 0;
    sizes[83] = 300_000;
    Worker worker = Worker.create(vertx);
    TestSocket.connect(vertx, node.streamSocketPort())
        .compose(s -> s.join("s", "sizes", "g", null).compose(v -> s.frame(0)).map(s))
        .compose(s -> {
          Future<Void> chain = Future.succeededFuture();
          for (int i = 0; i < sizes.length; i++) {
            int n = sizes[i];
            String item = "i" + i;
            chain = chain.compose(v -> worker.call("stream::send", new JsonObject().put("stream_name", "sizes")
                .put("group_id", "g").put("id", item).put("type", "blob").put("data", "y".repeat(n))).mapEmpty());
          }
          return chain.compose(v -> s.frames(1 + sizes.length));
        })
        .onComplete(testContext.succeeding(frames -> testContext.verify(() -> {
          for (int i = 0; i < sizes.length; i++) {
            JsonObject frame = frames.get(1 + i);
            assertEquals("i" + i, frame.getString("id"));
            assertEquals(sizes[i], frame.getJsonObject("event").getJsonObject("event").getString("data").length());
          }
          testContext.completeNow();
        })));
  }

  /** A WebSocket client on a plain socket, so a test can see how bytes arrive per read. */
  private static final class RawWebSocket implements AutoCloseable {

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket) throws IOException {
      this.socket = socket;
      this.in = new DataInputStream(socket.getInputStream());
      this.out = socket.getOutputStream();
    }

    static RawWebSocket connect(int port) throws IOException {
      Socket socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(10_000);
      socket.setReceiveBufferSize(1 << 20);
      socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
          + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      InputStream in = socket.getInputStream();
      StringBuilder head = new StringBuilder();
      while (!head.toString().endsWith("\r\n\r\n")) {
        int b = in.read();
        if (b < 0) {
          throw new IOException("closed during the handshake: " + head);
        }
        head.append((char) b);
      }
      assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
      return new RawWebSocket(socket);
    }

    /** Sends a masked text frame (clients must mask; an all-zero key leaves the bytes as they are). */
    void sendText(String text) throws IOException {
      out.write(ClientFrames.text(text.getBytes(StandardCharsets.UTF_8)));
      out.flush();
    }

    /** Reads one unfragmented text frame. */
    String readFrame() throws IOException {
      int opcode = in.readUnsignedByte();
      assertEquals(0x81, opcode, "a final text frame");
      long length = in.readUnsignedByte() & 0x7F;
      if (length == 126) {
        length = in.readUnsignedShort();
      } else if (length == 127) {
        length = in.readLong();
      }
      byte[] payload = new byte[(int) length];
      in.readFully(payload);
      return new String(payload, StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
