package io.streamnode.process;

import java.io.IOException;
import io.streamnode.testing.FreePorts;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A streamnode node in its own JVM, started with {@code io.streamnode.Main start} on the test
 * classpath, with its output captured to a file. For tests of what only a separate process shows:
 * kill -9, signals, exit codes.
 */
final class NodeProcess implements AutoCloseable {

  final int wsPort;
  final int httpPort;
  /** The iii worker socket's port. */
  int workerPort;
  final Path log;
  private final Process process;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private NodeProcess(int wsPort, int httpPort, Path log, Process process) {
    this.wsPort = wsPort;
    this.httpPort = httpPort;
    this.log = log;
    this.process = process;
  }

  /** Starts a node with extra args ({@code --key=value} flags) on free ports; does not wait. */
  static NodeProcess start(Path workDir, String... extraArgs) throws IOException {
    int ws = FreePorts.listenPort();
    int httpPort = FreePorts.listenPort();
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.streamnode.Main");
    cmd.add("start");
    cmd.add("--stream_socket.port=" + ws);
    cmd.add("--http_api.port=" + httpPort);
    int workerPort = FreePorts.listenPort();
    cmd.add("--worker_socket.port=" + workerPort);
    cmd.addAll(List.of(extraArgs));
    Path log = Files.createTempFile(workDir, "node", ".log");
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    NodeProcess node = new NodeProcess(ws, httpPort, log, p);
    node.workerPort = workerPort;
    return node;
  }

  /** Runs {@code Main} with arguments to completion; returns exit code and output. */
  static Result run(Path workDir, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.streamnode.Main");
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("Main " + args[0] + " did not finish");
    }
    return new Result(p.exitValue(), out);
  }

  record Result(int exitCode, String output) {
  }

  /** Waits until GET /health answers 200, or fails with the node's log. */
  NodeProcess awaitReady() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); // a shared, loaded machine starts a JVM slowly
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("node exited early:\n" + output());
      }
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return this;
        }
      } catch (IOException notYet) {
        // still starting
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException("node not ready in 60 s:\n" + output());
  }

  /** POSTs a function call; returns status and body. */
  HttpResponse<String> call(String functionId, String json) throws IOException, InterruptedException {
    return http.send(request(functionId, json), HttpResponse.BodyHandlers.ofString());
  }

  HttpRequest request(String functionId, String json) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/functions/" + functionId))
        // As long as the node's own call timeout (30 s): a call held through a failover is slow, not failed.
        .timeout(Duration.ofSeconds(35)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)).build();
  }

  HttpClient http() {
    return http;
  }

  Process process() {
    return process;
  }

  String output() throws IOException {
    return Files.readString(log);
  }

  @Override
  public void close() {
    process.destroyForcibly();
  }

}
