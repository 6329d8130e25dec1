package io.streamnode.store.event;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;

import java.nio.charset.StandardCharsets;

/**
 * A join's initial snapshot as the store answers it: the group's position and its data already
 * encoded as JSON, once. The gateway writes these bytes into the sync frame as they are, so a
 * large group is encoded one time per join and never copied object by object on the event bus
 * (a {@code JsonObject} reply would be deep-copied there, then encoded, then copied into the
 * frame twice more).
 *
 * @param position where the group was when the data was read
 * @param data     the data, encoded (JSON {@code null} when there is none)
 */
public record EncodedSnapshot(GroupPosition position, Buffer data) {

  /** Encodes {@code data} (a value, a list of values, or null). */
  public static EncodedSnapshot of(GroupPosition position, Object data) {
    return new EncodedSnapshot(position, Json.encodeToBuffer(data));
  }

  /**
   * Passes a snapshot by reference within a node (it is never changed after it is made) and as
   * epoch, offset and the data's bytes between nodes (a join on one node, the group's owner on
   * another).
   */
  public static final class Codec extends ByReferenceCodec<EncodedSnapshot> {

    public static final String NAME = "streamnode.snapshot";

    public Codec() {
      super(NAME);
    }

    @Override
    public void encodeToWire(Buffer buffer, EncodedSnapshot snapshot) {
      byte[] epoch = snapshot.position().epoch().getBytes(StandardCharsets.UTF_8);
      buffer.appendInt(epoch.length).appendBytes(epoch)
          .appendLong(snapshot.position().offset())
          .appendInt(snapshot.data().length()).appendBuffer(snapshot.data());
    }

    @Override
    public EncodedSnapshot decodeFromWire(int pos, Buffer buffer) {
      int epochLength = buffer.getInt(pos);
      pos += 4;
      String epoch = buffer.getString(pos, pos + epochLength, StandardCharsets.UTF_8.name());
      pos += epochLength;
      long offset = buffer.getLong(pos);
      pos += 8;
      int dataLength = buffer.getInt(pos);
      pos += 4;
      return new EncodedSnapshot(new GroupPosition(epoch, offset), buffer.getBuffer(pos, pos + dataLength));
    }
  }
}
