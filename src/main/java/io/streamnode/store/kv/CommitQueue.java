package io.streamnode.store.kv;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.WorkerExecutor;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Group commit in front of an {@link AppendLog}: records queue up on the owner's context; one
 * batch at a time goes to the writer thread and is written with a single gathering write (and at
 * most one fsync); every record queued meanwhile forms the next batch. Futures complete on the
 * owner's context, in the order the records were queued, once their batch is written.
 *
 * <p>Confined to the owner's context, except the batch being written, which the writer thread
 * owns until its future completes.
 */
final class CommitQueue {

  private static final int RECORD = 0;
  private static final int ROTATE = 1;
  private static final int BARRIER = 2;

  private static final class Entry {
    final int kind;
    final ByteBuffer record;
    final Promise<Object> promise = Promise.promise();
    /** The value the future completes with: the previous value for a record, the new generation for a rotation. */
    Object result;

    Entry(int kind, ByteBuffer record, Object result) {
      this.kind = kind;
      this.record = record;
      this.result = result;
    }
  }

  private final WorkerExecutor writer;
  private final AppendLog log;
  private List<Entry> pending = new ArrayList<>();
  private boolean writing;
  private Throwable failure;
  /** Reused by the writer thread for the gathering write. */
  private ByteBuffer[] gather = new ByteBuffer[64];
  private long batches;
  private long records;

  CommitQueue(WorkerExecutor writer, AppendLog log) {
    this.writer = writer;
    this.log = log;
  }

  /** Queues an encoded record; the future completes with {@code result} once the record is written. */
  Future<Object> append(ByteBuffer record, Object result) {
    return enqueue(new Entry(RECORD, record, result));
  }

  /** Starts a new log generation after every record queued so far; completes with the new generation. */
  Future<Long> rotate() {
    return enqueue(new Entry(ROTATE, null, null)).map(generation -> (Long) generation);
  }

  /** Completes once every record queued so far is written. */
  Future<Void> barrier() {
    return enqueue(new Entry(BARRIER, null, null)).mapEmpty();
  }

  /** Why writing stopped, or null. After a failed batch, the working copy holds writes the log lacks, so nothing more is accepted. */
  Throwable failure() {
    return failure;
  }

  long batches() {
    return batches;
  }

  long records() {
    return records;
  }

  private Future<Object> enqueue(Entry entry) {
    if (failure != null) {
      return Future.failedFuture(failure);
    }
    pending.add(entry);
    writeNext();
    return entry.promise.future();
  }

  private void writeNext() {
    if (writing || pending.isEmpty()) {
      return;
    }
    List<Entry> batch = pending;
    pending = new ArrayList<>();
    writing = true;
    writer.executeBlocking(() -> {
      write(batch);
      return null;
    }, false).onComplete(done -> {
      writing = false;
      batches++;
      if (done.succeeded()) {
        for (Entry entry : batch) {
          if (entry.kind == RECORD) {
            records++;
          }
          entry.promise.complete(entry.result);
        }
      } else {
        failure = done.cause();
        for (Entry entry : batch) {
          entry.promise.fail(failure);
        }
        List<Entry> rest = pending;
        pending = new ArrayList<>();
        for (Entry entry : rest) {
          entry.promise.fail(failure);
        }
      }
      writeNext();
    });
  }

  /** Runs on the writer thread. */
  private void write(List<Entry> batch) throws Exception {
    if (gather.length < batch.size()) {
      gather = new ByteBuffer[Math.max(batch.size(), gather.length * 2)];
    }
    int count = 0;
    for (Entry entry : batch) {
      if (entry.kind == RECORD) {
        gather[count++] = entry.record;
      } else if (entry.kind == ROTATE) {
        // Everything queued before the rotation goes to the old log, everything after to the new one.
        if (count > 0) {
          log.append(gather, count);
          count = 0;
        }
        entry.result = log.rotate();
      }
    }
    if (count > 0) {
      log.append(gather, count);
    }
    // Drop the references so written records can be collected while the array waits for the next batch.
    Arrays.fill(gather, 0, Math.min(gather.length, batch.size()), null);
  }
}
