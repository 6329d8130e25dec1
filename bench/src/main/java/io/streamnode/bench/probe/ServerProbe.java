package io.streamnode.bench.probe;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads what a server process costs: CPU time from {@code /proc/<pid>/stat} (utime + stime),
 * RSS from {@code /proc/<pid>/status}, and live heap after a full GC: {@code jcmd GC.run} then
 * {@code jstat -gc} for a JVM, {@code GET /memory} (process.memoryUsage() after global.gc()) for node.
 */
public final class ServerProbe {

  private static final long CLOCK_TICKS = clockTicks();
  private static final Pattern HEAP_USED = Pattern.compile("\"heapUsed\"\\s*:\\s*(\\d+)");

  private final long pid;
  private final boolean jvm;
  private final int apiPort;

  public ServerProbe(long pid, boolean jvm, int apiPort) {
    this.pid = pid;
    this.jvm = jvm;
    this.apiPort = apiPort;
  }

  /** CPU (user + system) a process has consumed so far, in microseconds. */
  public static long cpuMicros(long pid) {
    long[] t = times(pid);
    return t[0] + t[1];
  }

  /** Kernel CPU (stime) of any process so far, in microseconds. */
  public static long systemMicros(long pid) {
    return times(pid)[1];
  }

  /**
   * CPU so far of a JVM's JIT compiler threads (those Linux names "C1 CompilerThre" and
   * "C2 CompilerThre"), in microseconds; 0 for a process without them (node).
   */
  public static long jitMicros(long pid) {
    long sum = 0;
    File[] tasks = new File("/proc/" + pid + "/task").listFiles();
    if (tasks == null) {
      return 0;
    }
    for (File task : tasks) {
      try {
        String stat = Files.readString(task.toPath().resolve("stat"));
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
          String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
          sum += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1_000_000L / CLOCK_TICKS;
        }
      } catch (IOException | RuntimeException e) {
        // The thread ended between the listing and the read: its time is gone with it.
      }
    }
    return sum;
  }

  private static long[] times(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // Fields after the ")" that ends the command name: state is field 3, utime 14, stime 15.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return new long[] {Long.parseLong(f[11]) * 1_000_000L / CLOCK_TICKS, Long.parseLong(f[12]) * 1_000_000L / CLOCK_TICKS};
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/stat", e);
    }
  }

  /** Busy CPU time of the whole machine (all cores, /proc/stat: everything but idle and iowait), in microseconds. */
  public static long machineBusyMicros() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long busy = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) {
        if (i != 4 && i != 5) { // idle, iowait
          busy += Long.parseLong(f[i]);
        }
      }
      return busy * 1_000_000L / CLOCK_TICKS;
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/stat", e);
    }
  }

  /** Resident set size in bytes. */
  public long rssBytes() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024L;
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/" + pid + "/status", e);
    }
    return -1;
  }

  /** Live heap in bytes after a full GC, or -1 when it cannot be read. */
  public long heapBytesAfterGc() {
    try {
      if (jvm) {
        run(List.of("jcmd", Long.toString(pid), "GC.run"));
        String[] out = run(List.of("jstat", "-gc", Long.toString(pid))).trim().split("\n");
        String[] names = out[0].trim().split("\\s+");
        String[] values = out[out.length - 1].trim().split("\\s+");
        double kb = 0;
        for (int i = 0; i < names.length; i++) {
          if (List.of("S0U", "S1U", "EU", "OU").contains(names[i])) {
            kb += Double.parseDouble(values[i]);
          }
        }
        return (long) (kb * 1024);
      }
      HttpResponse<String> resp = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/memory")).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      Matcher m = HEAP_USED.matcher(resp.body());
      return m.find() ? Long.parseLong(m.group(1)) : -1;
    } catch (IOException | RuntimeException e) {
      System.err.println("heap probe failed: " + e);
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private static String run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(command + " timed out");
    }
    return new String(out, StandardCharsets.UTF_8);
  }

  private static long clockTicks() {
    try {
      return Long.parseLong(run(List.of("getconf", "CLK_TCK")).trim());
    } catch (IOException | RuntimeException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }
}
