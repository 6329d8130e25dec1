package io.streamnode.store.kv;

import com.fasterxml.jackson.core.JsonGenerator;
import io.streamnode.store.event.GroupPosition;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The snapshot of a {@link FileStorage}: the whole working copy as of the start of one log
 * generation, written beside the live one and swapped in by an atomic rename, so a reader only
 * ever sees a complete snapshot.
 */
final class SnapshotFile {

  /** The items of one group in insertion order, copied out of the working copy: item ids at even, values at odd indexes. */
  record Group(String stream, String group, Object[] itemsAndValues, GroupPosition position) {
  }

  private SnapshotFile() {
  }

  /**
   * Copies the working copy's structure (values are immutable and shared), so the snapshot can be
   * written off the event loop while writes go on. One array per group keeps the copy cheap.
   */
  static List<Group> copyOf(MemoryStorage memory) {
    List<Group> groups = new ArrayList<>();
    for (Map.Entry<String, Map<String, MemoryStorage.Group>> stream : memory.all().entrySet()) {
      for (Map.Entry<String, MemoryStorage.Group> group : stream.getValue().entrySet()) {
        LinkedHashMap<String, Object> items = group.getValue().items;
        Object[] itemsAndValues = new Object[items.size() * 2];
        int i = 0;
        for (Map.Entry<String, Object> item : items.entrySet()) {
          itemsAndValues[i++] = item.getKey();
          itemsAndValues[i++] = item.getValue();
        }
        groups.add(new Group(stream.getKey(), group.getKey(), itemsAndValues, group.getValue().position));
      }
    }
    return groups;
  }

  /**
   * Writes {@code groups} as the snapshot that replaces every log before {@code nextLog}: temp
   * file, fsync, rename over the old snapshot, fsync of the directory. Always fsynced, whatever
   * the fsync option: the old logs are deleted on the strength of this file. Returns its size.
   */
  static long write(StorageDirectory dir, List<Group> groups, long nextLog) throws IOException {
    Path temp = dir.snapshotTemp();
    try (FileChannel channel = FileChannel.open(temp,
        StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
      OutputStream out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
      JsonGenerator gen = RecordFormat.generator(out);
      gen.writeStartObject();
      gen.writeNumberField("snapshot", 1);
      gen.writeNumberField("log", nextLog);
      gen.writeEndObject();
      gen.writeRaw('\n');
      for (Group group : groups) {
        Object[] itemsAndValues = group.itemsAndValues();
        for (int i = 0; i < itemsAndValues.length; i += 2) {
          RecordFormat.writeSet(gen, group.stream(), group.group(), (String) itemsAndValues[i], itemsAndValues[i + 1]);
        }
        // After the items: the group's position (a set line without one keeps the position as it was).
        RecordFormat.writePositionLine(gen, group.stream(), group.group(), group.position());
      }
      gen.flush();
      out.flush();
      channel.force(true);
    }
    Files.move(temp, dir.snapshot(), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    dir.sync();
    return Files.size(dir.snapshot());
  }

  /**
   * Loads the snapshot into {@code memory}; returns the first log generation to replay after it,
   * 0 when there is no snapshot yet. A snapshot is complete or absent (rename), so any flaw fails.
   */
  static long read(StorageDirectory dir, MemoryStorage memory) throws IOException {
    Path file = dir.snapshot();
    if (!Files.exists(file)) {
      return 0;
    }
    long[] nextLog = {-1};
    long goodEnd = RecordFormat.readLines(file, line -> {
      if (nextLog[0] < 0) {
        if (!line.containsKey("snapshot") || line.getLong("log") == null) {
          throw new IllegalStateException("snapshot " + file + " has no header line");
        }
        nextLog[0] = line.getLong("log");
      } else {
        RecordFormat.apply(line, memory);
      }
    });
    if (goodEnd != Files.size(file) || nextLog[0] < 0) {
      throw new IOException("snapshot " + file + " is damaged at byte " + goodEnd);
    }
    return nextLog[0];
  }
}
