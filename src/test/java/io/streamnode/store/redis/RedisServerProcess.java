package io.streamnode.store.redis;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import io.streamnode.testing.FreePorts;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of a test's own, on a free port, that the test may stop and start again (never
 * the shared server on 6379). No automatic persistence: a restart comes back empty, as after a
 * crash without a save, or (see {@link #startIn}) with the data of the last explicit SAVE.
 */
public final class RedisServerProcess {

  public final int port;
  /** Further redis-server arguments, given again on each restart. */
  private final List<String> extra;
  private Process process;

  private RedisServerProcess(int port, List<String> extra) {
    this.port = port;
    this.extra = extra;
  }

  public static RedisServerProcess start() throws IOException, InterruptedException {
    return start(List.of());
  }

  /**
   * A server whose files (an RDB written by an explicit SAVE, a replica's transfer) go to
   * {@code dir}: restarted after a SAVE, it comes back with the data as of that SAVE.
   */
  public static RedisServerProcess startIn(Path dir) throws IOException, InterruptedException {
    return start(List.of("--dir", dir.toAbsolutePath().toString(), "--dbfilename", "dump.rdb",
        "--repl-diskless-sync-delay", "0"));
  }

  private static RedisServerProcess start(List<String> extra) throws IOException, InterruptedException {
    RedisServerProcess server = new RedisServerProcess(FreePorts.listenPort(), extra);
    server.restart();
    return server;
  }

  /** A server on a port the test chose (e.g. one a node was already pointed at). */
  static RedisServerProcess startOn(int port) throws IOException, InterruptedException {
    RedisServerProcess server = new RedisServerProcess(port, List.of());
    server.restart();
    return server;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server (again) on the same port; returns once it accepts connections. */
  public void restart() throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--daemonize", "no"));
    command.addAll(extra);
    process = new ProcessBuilder(command)
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(new File("target/redis-" + port + ".log"))).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 200);
        return;
      } catch (IOException notYet) {
        Thread.sleep(50);
      }
    }
    throw new IOException("redis-server did not start on port " + port);
  }

  /** Freezes (SIGSTOP) or thaws (SIGCONT) the server: connections stay open, nothing answers. */
  public void freeze(boolean frozen) throws IOException, InterruptedException {
    new ProcessBuilder("kill", frozen ? "-STOP" : "-CONT", String.valueOf(process.pid())).start().waitFor();
  }

  /** Kills the server (SIGKILL, as a crash) and waits for it to be gone. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }
}
