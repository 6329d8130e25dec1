package io.streamnode.store.redis;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import io.streamnode.testing.FreePorts;
import java.net.Socket;
import java.util.concurrent.TimeUnit;

/**
 * A redis-server of a test's own, on a free port, that the test may stop and start again (never
 * the shared server on 6379). No persistence: a restart comes back empty, as after a crash
 * without a save.
 */
final class RedisServerProcess {

  final int port;
  private Process process;

  private RedisServerProcess(int port) {
    this.port = port;
  }

  static RedisServerProcess start() throws IOException, InterruptedException {
    RedisServerProcess server = new RedisServerProcess(FreePorts.listenPort());
    server.restart();
    return server;
  }

  /** A server on a port the test chose (e.g. one a node was already pointed at). */
  static RedisServerProcess startOn(int port) throws IOException, InterruptedException {
    RedisServerProcess server = new RedisServerProcess(port);
    server.restart();
    return server;
  }

  String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Starts the server (again) on the same port; returns once it accepts connections. */
  void restart() throws IOException, InterruptedException {
    process = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--daemonize", "no")
        .redirectErrorStream(true).redirectOutput(new File("target/redis-" + port + ".log")).start();
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
  void freeze(boolean frozen) throws IOException, InterruptedException {
    new ProcessBuilder("kill", frozen ? "-STOP" : "-CONT", String.valueOf(process.pid())).start().waitFor();
  }

  /** Kills the server (SIGKILL, as a crash) and waits for it to be gone. */
  void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      process = null;
    }
  }
}
