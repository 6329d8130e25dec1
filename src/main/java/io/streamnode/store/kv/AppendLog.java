package io.streamnode.store.kv;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The log file being appended to. Used by the writer thread only, except {@link #bytes()} and
 * {@link #forget(long)}, which the event loop and the snapshot thread call.
 */
final class AppendLog implements AutoCloseable {

  private final StorageDirectory dir;
  private final boolean fsync;
  /** Bytes in every log not yet covered by a snapshot (the current one and older ones awaiting deletion). */
  private final AtomicLong liveBytes;
  private long generation;
  private FileChannel channel;

  /** Opens log {@code generation} for appending at {@code position}, cutting off anything after it (a torn tail). */
  AppendLog(StorageDirectory dir, long generation, long position, long liveBytes, boolean fsync) throws IOException {
    this.dir = dir;
    this.fsync = fsync;
    this.liveBytes = new AtomicLong(liveBytes);
    this.generation = generation;
    this.channel = FileChannel.open(dir.log(generation), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    if (channel.size() > position) {
      channel.truncate(position);
      channel.force(false);
    }
    channel.position(position);
    if (fsync) {
      dir.sync();
    }
  }

  long generation() {
    return generation;
  }

  /** Writes {@code count} records in one gathering write (the group commit), then fsyncs if asked to. */
  void append(ByteBuffer[] records, int count) throws IOException {
    long total = 0;
    for (int i = 0; i < count; i++) {
      total += records[i].remaining();
    }
    long written = 0;
    int first = 0;
    while (written < total) {
      written += channel.write(records, first, count - first);
      while (first < count && !records[first].hasRemaining()) {
        first++;
      }
    }
    if (fsync) {
      channel.force(false);
    }
    liveBytes.addAndGet(total);
  }

  /** Closes the current log and starts the next generation; returns the new generation. */
  long rotate() throws IOException {
    FileChannel next = FileChannel.open(dir.log(generation + 1), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    if (fsync) {
      channel.force(false);
      dir.sync();
    }
    channel.close();
    channel = next;
    generation++;
    return generation;
  }

  /** Log bytes not yet covered by a snapshot. */
  long bytes() {
    return liveBytes.get();
  }

  /** Called when older logs covered by a snapshot were deleted. */
  void forget(long bytes) {
    liveBytes.addAndGet(-bytes);
  }

  @Override
  public void close() throws IOException {
    if (channel.isOpen()) {
      channel.force(false);
      channel.close();
    }
  }
}
