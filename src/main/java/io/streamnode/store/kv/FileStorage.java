package io.streamnode.store.kv;

import io.streamnode.store.StreamStorage;
import io.streamnode.store.event.EventDraft;
import io.streamnode.store.event.GroupPosition;
import io.streamnode.store.event.HistoryOptions;
import io.streamnode.store.event.StreamEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.EncodeException;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * The kv adapter's {@code file_based} store method: the working copy lives in memory (a
 * {@link MemoryStorage}, which serves every read), and every write is appended to a log of JSON
 * lines before it is acknowledged; a snapshot plus compaction keep the files bounded. See
 * {@link RecordFormat} and {@link StorageDirectory} for the files.
 *
 * <p>Durability: a {@code set} or {@code delete} future completes only after its record has been
 * written to the log file, so every acknowledged write survives the process dying, {@code kill -9}
 * included. With {@link FileStorageOptions#setFsync(boolean) fsync} it also survives a power loss.
 *
 * <p>Threading: call it from one context, the one that calls {@link #open()}; futures complete
 * there, acknowledgements in the order of the writes. File I/O runs on a dedicated writer thread
 * (the log) and a dedicated snapshot thread, never on the event loop. Writes queued while a batch
 * is being written go to disk together in the next batch (group commit).
 *
 * <p>A write is applied to the working copy at once and logged in the same turn, so the log's
 * order is the working copy's order and a read sees the latest write even before it is
 * acknowledged. If the log cannot be written, that write is taken back out of the working copy
 * and the storage refuses every later write.
 *
 * <p>Group positions are part of the records and of the snapshot, so a restart continues each
 * group's epoch and offsets. The history kept for resuming clients is not: after a restart a
 * client resuming from before it gets a full sync.
 */
public class FileStorage implements StreamStorage {

  private static final System.Logger LOG = System.getLogger(FileStorage.class.getName());

  private final Vertx vertx;
  private final FileStorageOptions options;
  private final StorageDirectory dir;
  private final MemoryStorage memory;
  private WorkerExecutor writer;
  private WorkerExecutor snapshotter;
  private AppendLog log;
  private CommitQueue commits;
  /** Size of the last snapshot, the base of the compaction ratio. */
  private long snapshotBytes;
  private long timerId = -1;
  /** The compaction under way, or null. */
  private Future<Void> compaction;
  private boolean closed;

  public FileStorage(Vertx vertx, FileStorageOptions options) {
    this(vertx, options, new HistoryOptions());
  }

  public FileStorage(Vertx vertx, FileStorageOptions options, HistoryOptions history) {
    this.vertx = vertx;
    this.memory = new MemoryStorage(history);
    this.options = new FileStorageOptions(options);
    this.dir = new StorageDirectory(Paths.get(options.getFilePath()).toAbsolutePath().normalize());
  }

  @Override
  public Future<Void> open() {
    String name = "streamnode-file-" + dir.root();
    writer = vertx.createSharedWorkerExecutor(name + "-log", 1);
    snapshotter = vertx.createSharedWorkerExecutor(name + "-snapshot", 1);
    return writer.<Void>executeBlocking(() -> {
      try {
        recover();
        return null;
      } catch (Exception | Error e) {
        dir.close();
        throw e;
      }
    }, false).<Void>map(v -> {
      // map, not onSuccess: the future the caller gets completes only after this has run. A caller
      // registering on an executeBlocking future that completed meanwhile is called at once, ahead
      // of the listeners queued for it, and its first write found the storage "not open".
      commits = new CommitQueue(writer, log);
      timerId = vertx.setPeriodic(options.getSaveIntervalMs(), id -> compactIfDue());
      return null;
    }).recover(e -> {
      closed = true;
      writer.close();
      snapshotter.close();
      return Future.failedFuture(e);
    });
  }

  /** Runs on the writer thread, before anything else touches the working copy. */
  private void recover() throws IOException {
    dir.lock();
    Files.deleteIfExists(dir.snapshotTemp());
    long firstLog = SnapshotFile.read(dir, memory);
    snapshotBytes = Files.exists(dir.snapshot()) ? Files.size(dir.snapshot()) : 0;
    // Left over when a compaction died between renaming its snapshot and deleting the logs it covers.
    dir.deleteLogsBefore(firstLog);
    List<Long> generations = dir.logGenerations();
    long liveBytes = 0;
    long position = 0;
    for (long generation : generations) {
      Path file = dir.log(generation);
      long size = Files.size(file);
      long goodEnd = RecordFormat.readLines(file, line -> RecordFormat.apply(line, memory));
      if (goodEnd < size) {
        // A record cut by a kill: it was never acknowledged. Cut it off so appends start on a line boundary.
        LOG.log(System.Logger.Level.WARNING, "ignoring a torn record of {0} bytes at the end of {1}", size - goodEnd, file);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
          channel.truncate(goodEnd);
          channel.force(false);
        }
      }
      liveBytes += goodEnd;
      position = goodEnd;
    }
    long current = generations.isEmpty() ? firstLog : generations.get(generations.size() - 1);
    log = new AppendLog(dir, current, generations.isEmpty() ? 0 : position, liveBytes, options.isFsync());
  }

  @Override
  public Future<Object> get(String stream, String group, String item) {
    return Future.succeededFuture(memory.getNow(stream, group, item));
  }

  @Override
  public Future<Written> set(String stream, String group, String item, Object value, EventDraft event) {
    Throwable refused = refusal();
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    GroupPosition before = memory.positionNow(stream, group);
    ByteBuffer record;
    try {
      // Encoded here, not on the writer thread, so a value that is not JSON fails alone, before it touches anything.
      record = RecordFormat.encodeSet(stream, group, item, value, before.isNone() ? GroupPosition.NONE : before.next());
    } catch (EncodeException e) {
      return Future.failedFuture(e);
    }
    Written written = memory.setNow(stream, group, item, value, event);
    if (before.isNone()) {
      // A new group: its epoch was chosen by the write, so the record is encoded again with it.
      record = RecordFormat.encodeSet(stream, group, item, value, written.event().position());
    }
    return logged(record, written, stream, group, item, before);
  }

  @Override
  public Future<Written> delete(String stream, String group, String item, EventDraft event) {
    Throwable refused = refusal();
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    if (memory.getNow(stream, group, item) == ABSENT) {
      return Future.succeededFuture(new Written(ABSENT, null));
    }
    GroupPosition before = memory.positionNow(stream, group);
    Written written = memory.deleteNow(stream, group, item, event);
    ByteBuffer record = RecordFormat.encodeDelete(stream, group, item, written.event().position());
    return logged(record, written, stream, group, item, before);
  }

  @Override
  public Future<StreamEvent> publish(EventDraft event) {
    Throwable refused = refusal();
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    GroupPosition before = memory.positionNow(event.stream(), event.group());
    StreamEvent numbered = memory.publishNow(event);
    ByteBuffer record = RecordFormat.encodePosition(event.stream(), event.group(), numbered.position());
    return logged(record, new Written(null, numbered), event.stream(), event.group(), null, before)
        .map(Written::event);
  }

  /**
   * Acknowledges a write applied to the working copy once its record is in the log. If the log
   * cannot be written, the write is taken back out of the working copy, so no read serves a value
   * whose write failed (the storage then refuses every later write, see {@link CommitQueue}).
   */
  private Future<Written> logged(ByteBuffer record, Written written, String stream, String group, String item,
                                 GroupPosition before) {
    return commits.append(record, written).map(w -> (Written) w).onFailure(err ->
        memory.undo(stream, group, item, item == null ? null : written.old(), before));
  }

  @Override
  public Future<Snapshot> snapshot(String stream, String group, String item) {
    return memory.snapshot(stream, group, item);
  }

  @Override
  public Future<GroupPosition> position(String stream, String group) {
    return memory.position(stream, group);
  }

  @Override
  public Future<List<StreamEvent>> since(String stream, String group, GroupPosition since) {
    return memory.since(stream, group, since);
  }

  @Override
  public Future<List<Object>> list(String stream, String group) {
    return memory.list(stream, group);
  }

  @Override
  public Future<List<String>> listGroups(String stream) {
    return memory.listGroups(stream);
  }

  @Override
  public Future<SortedMap<String, SortedSet<String>>> listAll() {
    return memory.listAll();
  }

  /**
   * Writes a snapshot of the working copy and drops the log it covers, whatever the thresholds
   * (the save interval timer calls it when they are crossed). Completes when the old log is gone;
   * a call during a compaction joins it.
   *
   * <p>Why a crash at any point loses nothing acknowledged:
   * <ol>
   * <li>The copy of the working copy and the log rotation are taken in the same event-loop turn:
   *     the rotation is queued behind every record already applied to the copy, so each record is
   *     either in the copy and in a log before generation N, or not in the copy and in log N or
   *     later. Snapshot(N) plus logs from N up is therefore the whole state.</li>
   * <li>Until the new snapshot is renamed into place, the old snapshot and every log from its
   *     generation up (old ones and log N alike) are still on disk: recovery replays them all.</li>
   * <li>The new snapshot is written to a temp file, fsynced, renamed atomically and the directory
   *     fsynced, so after the rename it is complete and durable; only then are the logs before N
   *     deleted, and recovery deletes them too if the crash came in between.</li>
   * </ol>
   * Writes go on into log N while the snapshot is written on its own thread.
   */
  public Future<Void> compact() {
    Throwable refused = refusal();
    if (refused != null) {
      return Future.failedFuture(refused);
    }
    if (compaction != null) {
      return compaction;
    }
    List<SnapshotFile.Group> copy = SnapshotFile.copyOf(memory);
    Future<Void> running = commits.rotate()
        .compose(nextLog -> snapshotter.executeBlocking(() -> {
          long size = SnapshotFile.write(dir, copy, nextLog);
          log.forget(dir.deleteLogsBefore(nextLog));
          return size;
        }, false))
        .map(size -> {
          snapshotBytes = size;
          return (Void) null;
        });
    compaction = running;
    running.onComplete(done -> {
      compaction = null;
      if (done.failed()) {
        // The old logs are still there, so nothing is lost; the next tick tries again.
        LOG.log(System.Logger.Level.WARNING, "compaction of " + dir.root() + " failed", done.cause());
      }
    });
    return running;
  }

  private void compactIfDue() {
    if (compaction != null || refusal() != null) {
      return;
    }
    long logBytes = log.bytes();
    if (logBytes > options.getCompactMinBytes() && logBytes > options.getCompactRatio() * snapshotBytes) {
      compact();
    }
  }

  /** Bytes of log not yet covered by a snapshot. */
  public long logBytes() {
    return log == null ? 0 : log.bytes();
  }

  /** Records written since open (for tests and metrics). */
  long recordsWritten() {
    return commits == null ? 0 : commits.records();
  }

  /** Batches written since open: records per batch is what group commit achieved. */
  long batchesWritten() {
    return commits == null ? 0 : commits.batches();
  }

  /** Stops the timer, waits for a compaction under way, writes every queued record and releases the directory. */
  @Override
  public Future<Void> close() {
    if (closed || commits == null) {
      // Never opened, or the open failed and already let go of everything.
      closed = true;
      return Future.succeededFuture();
    }
    closed = true;
    vertx.cancelTimer(timerId);
    Future<Void> compacted = compaction == null ? Future.succeededFuture() : compaction.otherwiseEmpty();
    return compacted
        .compose(v -> commits.barrier())
        .eventually(() -> writer.executeBlocking(() -> {
          try {
            log.close();
          } finally {
            dir.close();
          }
          return null;
        }, false))
        .eventually(() -> Future.join(writer.close(), snapshotter.close()));
  }

  private Throwable refusal() {
    if (commits == null || closed) {
      return new IllegalStateException("file storage " + dir.root() + " is " + (closed ? "closed" : "not open"));
    }
    return commits.failure();
  }
}
