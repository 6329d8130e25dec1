package io.streamnode.store.kv;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.streamnode.store.event.GroupPosition;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.EncodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.core.json.jackson.JacksonCodec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The on-disk record of {@link FileStorage}: one JSON object per line, UTF-8, ended by {@code \n}.
 *
 * <pre>
 * {"op":"set","s":"stream","g":"group","i":"item","v":&lt;any JSON value, null included&gt;,"e":"epoch","o":offset}
 * {"op":"del","s":"stream","g":"group","i":"item","e":"epoch","o":offset}
 * {"op":"pos","s":"stream","g":"group","e":"epoch","o":offset}
 * </pre>
 *
 * {@code e}/{@code o} are the group's position after the record (absent in files written before
 * positions existed: such a record keeps the group's position as it was). {@code pos} records an
 * event that changed no data (a {@code stream::send}): only the position moves. The log and the
 * snapshot both hold such lines (the snapshot {@code set} lines without positions and one
 * {@code pos} line per group, after a header line), so one replay routine rebuilds the working
 * copy from either.
 */
final class RecordFormat {

  static final String OP_SET = "set";
  static final String OP_DELETE = "del";
  static final String OP_POSITION = "pos";

  private static final JsonFactory JSON = new JsonFactory();

  private RecordFormat() {
  }

  /** A set record at {@code position}, encoded once; the returned buffer is what goes to the file. */
  static ByteBuffer encodeSet(String stream, String group, String item, Object value, GroupPosition position) {
    RecordBytes out = new RecordBytes(96 + stream.length() + group.length() + item.length());
    try (JsonGenerator gen = generator(out)) {
      writeKey(gen, OP_SET, stream, group, item);
      gen.writeFieldName("v");
      JacksonCodec.encodeJson(value, gen);
      writePosition(gen, position);
      gen.writeEndObject();
      gen.writeRaw('\n');
    } catch (IOException e) {
      throw new EncodeException(e.getMessage(), e);
    }
    return out.asByteBuffer();
  }

  /** A delete record at {@code position}, encoded once. */
  static ByteBuffer encodeDelete(String stream, String group, String item, GroupPosition position) {
    RecordBytes out = new RecordBytes(80 + stream.length() + group.length() + item.length());
    try (JsonGenerator gen = generator(out)) {
      writeKey(gen, OP_DELETE, stream, group, item);
      writePosition(gen, position);
      gen.writeEndObject();
      gen.writeRaw('\n');
    } catch (IOException e) {
      throw new EncodeException(e.getMessage(), e);
    }
    return out.asByteBuffer();
  }

  /** A position record: an event that changed no data. */
  static ByteBuffer encodePosition(String stream, String group, GroupPosition position) {
    RecordBytes out = new RecordBytes(64 + stream.length() + group.length());
    try (JsonGenerator gen = generator(out)) {
      writePositionLine(gen, stream, group, position);
    } catch (IOException e) {
      throw new EncodeException(e.getMessage(), e);
    }
    return out.asByteBuffer();
  }

  /** Writes one {@code pos} line. */
  static void writePositionLine(JsonGenerator gen, String stream, String group, GroupPosition position) throws IOException {
    gen.writeStartObject();
    gen.writeStringField("op", OP_POSITION);
    gen.writeStringField("s", stream);
    gen.writeStringField("g", group);
    writePosition(gen, position);
    gen.writeEndObject();
    gen.writeRaw('\n');
  }

  private static void writePosition(JsonGenerator gen, GroupPosition position) throws IOException {
    gen.writeStringField("e", position.epoch());
    gen.writeNumberField("o", position.offset());
  }

  /** A generator that writes records back to back, each ended by its own newline. */
  static JsonGenerator generator(OutputStream out) throws IOException {
    JsonGenerator gen = JSON.createGenerator(out);
    // Jackson would put a space between root values; the newline written after each record is the only separator.
    gen.setRootValueSeparator(null);
    return gen;
  }

  /** Writes one set line; throws {@link EncodeException} for a value that is not JSON. */
  static void writeSet(JsonGenerator gen, String stream, String group, String item, Object value) throws IOException {
    writeKey(gen, OP_SET, stream, group, item);
    gen.writeFieldName("v");
    JacksonCodec.encodeJson(value, gen);
    gen.writeEndObject();
    gen.writeRaw('\n');
  }

  private static void writeKey(JsonGenerator gen, String op, String stream, String group, String item) throws IOException {
    gen.writeStartObject();
    gen.writeStringField("op", op);
    gen.writeStringField("s", stream);
    gen.writeStringField("g", group);
    gen.writeStringField("i", item);
  }

  /** Applies one decoded record to the working copy. */
  static void apply(JsonObject record, MemoryStorage memory) {
    String op = record.getString("op");
    String stream = record.getString("s");
    String group = record.getString("g");
    String item = record.getString("i");
    GroupPosition position = record.getValue("e") instanceof String e && record.getValue("o") instanceof Number o
        ? new GroupPosition(e, o.longValue()) : null;
    if (OP_POSITION.equals(op)) {
      if (stream == null || group == null || position == null) {
        throw new DecodeException("pos record without s/g/e/o: " + record.encode());
      }
      memory.restorePosition(stream, group, position);
      return;
    }
    if (stream == null || group == null || item == null) {
      throw new DecodeException("record without s/g/i: " + record.encode());
    }
    if (OP_SET.equals(op)) {
      if (!record.containsKey("v")) {
        throw new DecodeException("set record without v: " + record.encode());
      }
      memory.restoreSet(stream, group, item, record.getValue("v"), position);
    } else if (OP_DELETE.equals(op)) {
      memory.restoreDelete(stream, group, item, position);
    } else {
      throw new DecodeException("unknown op: " + op);
    }
  }

  /** Receives each complete line of a file, decoded. */
  interface LineHandler {
    void line(JsonObject line);
  }

  /**
   * Reads the lines of a file and hands each one to {@code handler}. Returns the byte offset just
   * past the last good line: a shorter value than the file size means a torn tail (a last line
   * without its newline or that does not parse, as a write cut by a kill leaves), which the caller
   * may truncate. A bad line followed by a good one is not a torn write but corruption, and fails.
   */
  static long readLines(Path file, LineHandler handler) throws IOException {
    long offset = 0;
    long goodEnd = 0;
    long badAt = -1;
    RecordBytes line = new RecordBytes(256);
    try (InputStream in = Files.newInputStream(file)) {
      byte[] chunk = new byte[64 * 1024];
      int n;
      while ((n = in.read(chunk)) > 0) {
        int start = 0;
        for (int i = 0; i < n; i++) {
          if (chunk[i] != '\n') {
            continue;
          }
          line.write(chunk, start, i - start);
          long lineStart = offset - (line.size() - (i - start));
          offset += i - start + 1;
          start = i + 1;
          JsonObject decoded = decode(line);
          line.reset();
          if (decoded == null) {
            if (badAt < 0) {
              badAt = lineStart;
            }
            continue;
          }
          if (badAt >= 0) {
            throw new IOException("corrupt record at byte " + badAt + " of " + file + " (good records follow it)");
          }
          handler.line(decoded);
          goodEnd = offset;
        }
        line.write(chunk, start, n - start);
        offset += n - start;
      }
    }
    return goodEnd;
  }

  private static JsonObject decode(RecordBytes line) {
    if (line.size() == 0) {
      return null;
    }
    try {
      return new JsonObject(Buffer.buffer(line.toByteArray()));
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  /** A byte sink whose content is handed on without another copy. */
  static final class RecordBytes extends ByteArrayOutputStream {

    RecordBytes(int size) {
      super(size);
    }

    ByteBuffer asByteBuffer() {
      return ByteBuffer.wrap(buf, 0, count);
    }
  }
}
