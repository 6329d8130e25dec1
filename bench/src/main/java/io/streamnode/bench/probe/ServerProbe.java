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
 * Reads what a server costs: CPU time from {@code /proc/<pid>/stat} (utime + stime) and RSS from
 * {@code /proc/<pid>/status}, both summed over the server's process tree (nginx runs Nchan as a
 * master and a worker; every other server is one process), and live heap after a full GC, the
 * way its runtime allows: {@code jcmd GC.run} then {@code jstat -gc} for a JVM, {@code GET /memory}
 * (process.memoryUsage() after global.gc()) for node, {@code GET /debug/pprof/heap?gc=1&debug=1}
 * (runtime.GC(), then MemStats' HeapAlloc) for Go; none for C (Nchan: RSS only).
 */
public final class ServerProbe {

  private static final long CLOCK_TICKS = clockTicks();
  private static final Pattern NODE_HEAP_USED = Pattern.compile("\"heapUsed\"\\s*:\\s*(\\d+)");
  private static final Pattern GO_HEAP_ALLOC = Pattern.compile("# HeapAlloc = (\\d+)");

  /** What a server runs on: decides how its live heap is read and whether it has JIT threads. */
  public enum ServerRuntime {
    JVM, NODE, GO, C;

    /** The runtime of a server kind of the bench. */
    public static ServerRuntime of(String server) {
      return switch (server) {
        case "streamnode", "ceiling" -> JVM;
        case "socketio" -> NODE;
        case "centrifugo" -> GO;
        case "nchan" -> C;
        default -> throw new IllegalArgumentException("unknown server kind " + server);
      };
    }
  }

  private final long pid;
  private final ServerRuntime runtime;
  private final int apiPort;

  /** @param apiPort where node's {@code /memory} and Go's {@code /debug/pprof} answer */
  public ServerProbe(long pid, ServerRuntime runtime, int apiPort) {
    this.pid = pid;
    this.runtime = runtime;
    this.apiPort = apiPort;
  }

  /** True for a JVM: its JIT compiler threads share the server's core (see {@link #jitMicros}). */
  public boolean compilesJustInTime() {
    return runtime == ServerRuntime.JVM;
  }

  /** CPU (user + system) a process and its descendants have consumed so far, in microseconds. */
  public static long cpuMicros(long pid) {
    long[] t = times(pid);
    return t[0] + t[1];
  }

  /** Kernel CPU (stime) of a process and its descendants so far, in microseconds. */
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

  /** utime and stime in microseconds, summed over the process and its descendants. */
  private static long[] times(long pid) {
    long[] sum = processTime(pid);
    for (long child : descendants(pid)) {
      try {
        long[] t = processTime(child);
        sum[0] += t[0];
        sum[1] += t[1];
      } catch (IllegalStateException e) {
        // It ended between the listing and the read: its time is gone with it (see descendants).
      }
    }
    return sum;
  }

  /**
   * The process's descendants now (nginx's worker under its master; none for the other servers).
   * A descendant that ended took its CPU time with it, unless its parent reaped it (then the
   * parent's cutime has it, which is not read): a server whose workers come and go would be
   * undercounted, which is why the bench runs none.
   */
  private static List<Long> descendants(long pid) {
    return ProcessHandle.of(pid).map(h -> h.descendants().map(ProcessHandle::pid).toList()).orElse(List.of());
  }

  private static long[] processTime(long pid) {
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

  /**
   * Resident set size in bytes, summed over the process tree. Pages two processes share (nginx's
   * shared memory zone, the binary) count once per process; the per-connection figure is a
   * difference, where they cancel out.
   */
  public long rssBytes() {
    long sum = processRss(pid);
    for (long child : descendants(pid)) {
      try {
        sum += Math.max(0, processRss(child));
      } catch (IllegalStateException e) {
        // It ended between the listing and the read: it holds no memory any more.
      }
    }
    return sum;
  }

  private static long processRss(long pid) {
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

  /** Live heap in bytes after a full GC, or -1 when it cannot be read (or there is none: C). */
  public long heapBytesAfterGc() {
    try {
      if (runtime == ServerRuntime.C) {
        return -1;
      }
      if (runtime == ServerRuntime.JVM) {
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
      boolean go = runtime == ServerRuntime.GO;
      // Go: gc=1 runs runtime.GC() before the heap profile; debug=1 appends runtime.MemStats as text.
      String path = go ? "/debug/pprof/heap?gc=1&debug=1" : "/memory";
      HttpResponse<String> resp = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path)).timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
      Matcher m = (go ? GO_HEAP_ALLOC : NODE_HEAP_USED).matcher(resp.body());
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
