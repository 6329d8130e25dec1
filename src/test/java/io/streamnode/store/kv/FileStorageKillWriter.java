package io.streamnode.store.kv;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.concurrent.CountDownLatch;

/**
 * The process {@link FileStorageKillTest} kills: opens a {@link FileStorage} on a directory and
 * writes unique items with several writes in flight, printing {@code ack <group> <item> <n>} for
 * each acknowledged write. It compacts every {@value #COMPACT_EVERY} acks and on a short timer, so kills also land
 * mid-compaction.
 * Stops by itself after {@code maxWrites} writes or {@code maxMillis}, then prints a summary on
 * stderr.
 *
 * <p>Usage: {@code FileStorageKillWriter <dir> <maxWrites> <maxMillis> [inFlight] [fsync] [round]}: items
 * are named {@code r<round>k<n>} and carry the round in their value, so each run writes values of its own.
 */
public final class FileStorageKillWriter {

  private static final int COMPACT_EVERY = 300;

  private final FileStorage storage;
  private final PrintStream out;
  private final long maxWrites;
  private final long deadline;
  private long started;
  private long acked;
  private int inFlight;
  private final Runnable onDone;
  private final int round;

  private FileStorageKillWriter(FileStorage storage, long maxWrites, long maxMillis, int round, Runnable onDone) {
    this.round = round;
    this.storage = storage;
    this.out = new PrintStream(new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16), false);
    this.maxWrites = maxWrites;
    this.deadline = System.currentTimeMillis() + maxMillis;
    this.onDone = onDone;
  }

  public static void main(String[] args) throws Exception {
    String dir = args[0];
    long maxWrites = Long.parseLong(args[1]);
    long maxMillis = Long.parseLong(args[2]);
    int window = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    boolean fsync = args.length > 4 && Boolean.parseBoolean(args[4]);
    int round = args.length > 5 ? Integer.parseInt(args[5]) : 0;
    Vertx vertx = Vertx.vertx();
    FileStorage storage = new FileStorage(vertx, new FileStorageOptions()
        .setFilePath(dir).setSaveIntervalMs(100).setCompactMinBytes(16 * 1024).setFsync(fsync));
    CountDownLatch finished = new CountDownLatch(1);
    Context context = vertx.getOrCreateContext();
    long t0 = System.nanoTime();
    context.runOnContext(v -> storage.open().onComplete(opened -> {
      if (opened.failed()) {
        opened.cause().printStackTrace();
        finished.countDown();
        return;
      }
      FileStorageKillWriter writer = new FileStorageKillWriter(storage, maxWrites, maxMillis, round, finished::countDown);
      for (int i = 0; i < window; i++) {
        writer.writeNext();
      }
    }));
    finished.await();
    double seconds = (System.nanoTime() - t0) / 1e9;
    long records = storage.recordsWritten();
    long batches = storage.batchesWritten();
    // FileStorageFsyncTest reads "batches <n>" from this line.
    System.err.printf("records %d in %.2f s = %.0f records/s, %d batches, %.1f records/batch%n",
        records, seconds, records / seconds, batches, batches == 0 ? 0.0 : (double) records / batches);
    context.runOnContext(v -> storage.close().onComplete(closed -> vertx.close()));
  }

  private void writeNext() {
    if (started >= maxWrites || System.currentTimeMillis() > deadline) {
      if (inFlight == 0) {
        out.flush();
        onDone.run();
      }
      return;
    }
    long n = started++;
    inFlight++;
    String group = "g" + (n % 10);
    String item = "r" + round + "k" + n;
    storage.set("kill", group, item, new JsonObject().put("n", n).put("round", round).put("pad", "p".repeat((int) (n % 64))))
        .onComplete(done -> {
          inFlight--;
          if (done.failed()) {
            done.cause().printStackTrace();
            onDone.run();
            return;
          }
          acked++;
          if (acked % COMPACT_EVERY == 0) {
            // Besides the timer's: a kill a few hundred acks in must be able to land mid-compaction.
            storage.compact();
          }
          // Printed only now, after the acknowledgement: whatever the test reads was acknowledged.
          out.println("ack " + group + " " + item + " " + n);
          if (acked % 64 == 0 || inFlight == 0) {
            out.flush();
          }
          writeNext();
        });
  }
}
