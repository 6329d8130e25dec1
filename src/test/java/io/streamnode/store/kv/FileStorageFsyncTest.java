package io.streamnode.store.kv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * README: "{@code fsync: true} in {@code adapter.config} also survives power loss". A power cut
 * cannot be staged in a test, but what it rests on can be seen: with fsync every written batch
 * is followed by an fdatasync(2) of the log, without it (the control) almost none are. The writer
 * runs as its own process under {@code strace -c}, which counts the system calls.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FileStorageFsyncTest {

  private static final Pattern BATCHES = Pattern.compile("records (\\d+) .*, (\\d+) batches");

  @TempDir
  Path tmp;

  @Test
  void withFsyncEveryBatchIsSyncedToTheDeviceAndWithoutItNot() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/strace")), "strace is needed to count fdatasync calls");
    long[] synced = run("fsync", true);
    long[] plain = run("plain", false);
    System.out.printf("fsync: %d syncs for %d batches; plain: %d syncs for %d batches%n", synced[2], synced[1], plain[2], plain[1]);
    assertEquals(200, synced[0], "every write was made");
    assertTrue(synced[2] >= synced[1], "with fsync: " + synced[2] + " syncs for " + synced[1] + " batches");
    assertTrue(plain[1] > 10 && plain[2] < plain[1] / 2,
        "control, without fsync: " + plain[2] + " syncs for " + plain[1] + " batches");
  }

  /** Runs 200 writes (no compaction yet) and returns {records, batches, fdatasync + fsync calls}. */
  private long[] run(String name, boolean fsync) throws Exception {
    Path dir = tmp.resolve(name);
    Path counts = tmp.resolve(name + ".strace");
    Path stderr = tmp.resolve(name + ".err");
    String java = ProcessHandle.current().info().command().orElse("java");
    Process writer = new ProcessBuilder("/usr/bin/strace", "-f", "-c", "-e", "trace=fdatasync,fsync", "-o", counts.toString(),
        java, "-cp", System.getProperty("java.class.path"), FileStorageKillWriter.class.getName(),
        dir.toString(), "200", "30000", "4", String.valueOf(fsync))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(stderr.toFile()).start();
    assertTrue(writer.waitFor(40, TimeUnit.SECONDS), "the writer did not finish");
    String err = Files.readString(stderr);
    Matcher m = BATCHES.matcher(err);
    assertTrue(m.find(), "no summary from the writer: " + err);
    long syncs = 0;
    for (String line : Files.readAllLines(counts)) {
      String[] cols = line.trim().split("\\s+");
      String call = cols[cols.length - 1];
      if (call.equals("fdatasync") || call.equals("fsync")) {
        syncs += Long.parseLong(cols[3]);
      }
    }
    return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), syncs};
  }
}
