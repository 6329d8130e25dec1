package io.streamnode.store.kv;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The layout of a {@link FileStorage} directory:
 *
 * <pre>
 * lock                  held (OS file lock) while a process has the directory open
 * snapshot.jsonl        the state as of the start of log N: a header {"snapshot":1,"log":N}, then set lines
 * snapshot.jsonl.tmp    a snapshot being written; never read, removed on open
 * log.N.jsonl           records written after the snapshot, in order; replayed from N up
 * </pre>
 */
final class StorageDirectory implements AutoCloseable {

  private static final String LOG_PREFIX = "log.";
  private static final String LOG_SUFFIX = ".jsonl";

  private final Path root;
  private FileChannel lockChannel;
  private FileLock lock;

  StorageDirectory(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  Path snapshot() {
    return root.resolve("snapshot.jsonl");
  }

  Path snapshotTemp() {
    return root.resolve("snapshot.jsonl.tmp");
  }

  Path log(long generation) {
    return root.resolve(LOG_PREFIX + generation + LOG_SUFFIX);
  }

  /** Creates the directory and takes its lock: two processes appending to one log would interleave records. */
  void lock() throws IOException {
    Files.createDirectories(root);
    lockChannel = FileChannel.open(root.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    lock = lockChannel.tryLock();
    if (lock == null) {
      lockChannel.close();
      throw new IOException("storage directory " + root + " is open in another process");
    }
  }

  /** The generations of the log files present, ascending. */
  List<Long> logGenerations() throws IOException {
    List<Long> generations = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(root, LOG_PREFIX + "*" + LOG_SUFFIX)) {
      for (Path file : files) {
        String name = file.getFileName().toString();
        try {
          generations.add(Long.parseLong(name.substring(LOG_PREFIX.length(), name.length() - LOG_SUFFIX.length())));
        } catch (NumberFormatException e) {
          // not one of ours
        }
      }
    }
    Collections.sort(generations);
    return generations;
  }

  /** Deletes the logs older than {@code generation}; returns the bytes freed. */
  long deleteLogsBefore(long generation) throws IOException {
    long freed = 0;
    for (long older : logGenerations()) {
      if (older >= generation) {
        break;
      }
      Path file = log(older);
      long size = Files.size(file);
      Files.deleteIfExists(file);
      freed += size;
    }
    return freed;
  }

  /** Makes creations, renames and deletions in the directory durable (its entries are data too). */
  void sync() throws IOException {
    try (FileChannel dir = FileChannel.open(root, StandardOpenOption.READ)) {
      dir.force(true);
    } catch (IOException e) {
      // Some platforms cannot open a directory for fsync; there is nothing more to be done on them.
      if (Files.isDirectory(root) && System.getProperty("os.name", "").toLowerCase().contains("win")) {
        return;
      }
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    if (lock != null) {
      lock.release();
      lockChannel.close();
      lock = null;
    }
  }
}
