package io.streamnode.socket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.streamnode.StreamNode;
import io.streamnode.store.event.EncodedSnapshot;
import io.streamnode.store.event.GroupPosition;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

/**
 * A large sync is built once: the store encodes the group's data, the event bus hands that
 * snapshot to the gateway by reference, and the frame written to the socket holds a view of those
 * same bytes, not a copy. The frame is still exactly iii's sync wrapper.
 */
@ExtendWith(VertxExtension.class)
class SyncFrameTest {

  private static final String KB = "x".repeat(1_000);

  private static EncodedSnapshot large() {
    JsonArray items = new JsonArray();
    for (int i = 0; i < 100; i++) {
      items.add(new JsonObject().put("i", i).put("v", KB));
    }
    return EncodedSnapshot.of(new GroupPosition("e1", 42), items);
  }

  private static JsonObject decode(ByteBuf frame) {
    // Skip the WebSocket header: FIN+opcode, then a 7, 16 or 64-bit length.
    int marker = frame.getUnsignedByte(1);
    int header = marker < 126 ? 2 : marker == 126 ? 4 : 10;
    return new JsonObject(frame.toString(header, frame.readableBytes() - header, StandardCharsets.UTF_8));
  }

  @Test
  void theSyncFrameIsIiisWrapperAroundTheSnapshotBytesWithoutCopyingThem() {
    EncodedSnapshot snapshot = large();
    ByteBuf frame = SyncFrame.build(ByteBufAllocator.DEFAULT, "s", "g", null, 7, snapshot, false);
    try {
      JsonObject json = decode(frame);
      assertEquals(new JsonObject().put("type", "stream").put("timestamp", 7).put("streamName", "s")
          .put("groupId", "g").putNull("id").put("event", new JsonObject().put("type", "sync")
              .put("data", new JsonArray(snapshot.data().toString()))), json);
      // The store's bytes are referenced: a change to them shows in the frame (never done in the node).
      int at = snapshot.data().toString().indexOf(KB);
      snapshot.data().setByte(at, (byte) 'y');
      assertEquals('y', decode(frame).getJsonObject("event").getJsonArray("data").getJsonObject(0).getString("v").charAt(0),
          "the frame holds a view of the snapshot's bytes, not a copy");
    } finally {
      frame.release();
    }
  }

  @Test
  void aSubscriptionWithPositionsGetsRecoveredFalseAndThePosition() {
    EncodedSnapshot small = EncodedSnapshot.of(new GroupPosition("e1", 3), new JsonArray().add(1));
    ByteBuf frame = SyncFrame.build(ByteBufAllocator.DEFAULT, "s", "g", "i", 7, small, true);
    try {
      assertEquals(new JsonObject().put("type", "stream").put("timestamp", 7).put("streamName", "s")
          .put("groupId", "g").put("id", "i")
          .put("event", new JsonObject().put("type", "sync").put("data", new JsonArray().add(1)).put("recovered", false))
          .put("position", new JsonObject().put("epoch", "e1").put("offset", 3)), decode(frame));
    } finally {
      frame.release();
    }
  }

  @Test
  void theEventBusHandsASnapshotOverByReferenceAndAcrossNodesAsItsBytes(Vertx vertx, VertxTestContext ctx) {
    StreamNode.registerCodecs(vertx);
    EncodedSnapshot snapshot = large();
    vertx.eventBus().consumer("test.snapshot", msg -> msg.reply(snapshot));
    vertx.eventBus().<EncodedSnapshot>request("test.snapshot", null).onComplete(ctx.succeeding(reply -> ctx.verify(() -> {
      assertSame(snapshot, reply.body(), "not copied within a node");
      Buffer wire = Buffer.buffer();
      EncodedSnapshot.Codec codec = new EncodedSnapshot.Codec();
      codec.encodeToWire(wire, snapshot);
      EncodedSnapshot decoded = codec.decodeFromWire(0, wire);
      assertEquals(snapshot.position(), decoded.position());
      assertEquals(snapshot.data(), decoded.data(), "the same bytes on another node");
      ctx.completeNow();
    })));
  }
}
