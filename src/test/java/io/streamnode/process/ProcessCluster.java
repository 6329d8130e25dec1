package io.streamnode.process;

import io.streamnode.testing.FreePorts;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static io.streamnode.testing.Bounded.until;

/**
 * A cluster of {@link NodeProcess}es on loopback, each member on a fixed Hazelcast port of its own
 * so that a member can be stopped (SIGTERM), killed (SIGKILL) and started again in its place.
 * Members run the shipped cluster.xml plus Hazelcast's health endpoint on the member port, which
 * is how the test knows that a member has joined and that no partition is left without its backup.
 */
final class ProcessCluster implements AutoCloseable {

  final String name = "proc-" + UUID.randomUUID();
  private final Path dir;
  private final Path config;
  private final List<Integer> ports = new ArrayList<>();
  private final List<String> extraArgs;
  private final NodeProcess[] nodes;
  private final List<NodeProcess> all = new ArrayList<>();

  private ProcessCluster(Path dir, int size, List<String> extraArgs) throws IOException {
    this.dir = dir;
    this.extraArgs = extraArgs;
    this.nodes = new NodeProcess[size];
    for (int i = 0; i < size; i++) {
      ports.add(FreePorts.listenPort());
    }
    String xml = Files.readString(Path.of("cluster.xml"));
    xml = xml.replace("</join>", "</join>\n    <rest-api enabled=\"true\"><endpoint-group name=\"HEALTH_CHECK\" enabled=\"true\"/></rest-api>");
    config = Files.writeString(dir.resolve("cluster-" + name + ".xml"), xml);
  }

  /** Starts {@code size} members (with {@code extraArgs} flags) and waits until all have formed one safe cluster. */
  static ProcessCluster start(Path dir, int size, String... extraArgs) throws Exception {
    ProcessCluster cluster = new ProcessCluster(dir, size, List.of(extraArgs));
    try {
      for (int i = 0; i < size; i++) {
        cluster.launch(i);
      }
      for (int i = 0; i < size; i++) {
        cluster.awaitReady(i);
      }
      cluster.awaitSafe(size);
      return cluster;
    } catch (Exception | AssertionError e) {
      cluster.close();
      throw e;
    }
  }

  private NodeProcess launch(int i) throws IOException {
    List<String> args = new ArrayList<>(List.of(
        "--cluster",
        "--cluster_config=" + config.toAbsolutePath(),
        "--cluster_name=" + name,
        "--cluster_port=" + ports.get(i),
        "--cluster_members=" + String.join(",", ports.stream().map(p -> "127.0.0.1:" + p).toList()),
        "--worker_socket.port=0"));
    args.addAll(extraArgs);
    nodes[i] = NodeProcess.start(dir, args.toArray(new String[0]));
    all.add(nodes[i]);
    return nodes[i];
  }

  NodeProcess node(int i) {
    return nodes[i];
  }

  int size() {
    return nodes.length;
  }

  /** SIGKILL: the member vanishes without a word. */
  void kill(int i) throws InterruptedException {
    nodes[i].process().destroyForcibly();
    if (!nodes[i].process().waitFor(10, TimeUnit.SECONDS)) {
      throw new AssertionError("member " + i + " still alive 10 s after SIGKILL");
    }
  }

  /** SIGTERM, and waits for the graceful shutdown to finish; returns how it went (its last log line). */
  String stop(int i) throws Exception {
    nodes[i].process().destroy();
    if (!nodes[i].process().waitFor(40, TimeUnit.SECONDS)) {
      throw new AssertionError("member " + i + " still running 40 s after SIGTERM:\n" + nodes[i].output());
    }
    String out = nodes[i].output();
    if (!out.contains("stopped")) {
      throw new AssertionError("member " + i + " did not stop gracefully:\n" + out);
    }
    return out;
  }

  /** Starts member {@code i} again on its cluster port and waits until it serves. */
  NodeProcess restart(int i) throws Exception {
    launch(i);
    awaitReady(i);
    return nodes[i];
  }

  /**
   * Waits until member {@code i} answers GET /health. Longer than {@link NodeProcess#awaitReady}:
   * three JVMs starting at once on a shared 2-core machine take up to half a minute each.
   */
  void awaitReady(int i) {
    NodeProcess node = nodes[i];
    until(90, () -> {
      if (!node.process().isAlive()) {
        throw new AssertionError("member " + i + " exited early:\n" + output(node));
      }
      try {
        return node.http().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + "/health"))
            .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
      } catch (Exception notYet) {
        return false;
      }
    }, () -> "member " + i + " not ready:\n" + output(node));
  }

  private static String output(NodeProcess node) {
    try {
      return node.output();
    } catch (IOException e) {
      return "(log unreadable: " + e + ")";
    }
  }

  /**
   * Waits until every live member sees {@code members} members and reports the cluster safe (every
   * partition has its backup, no migration left), from Hazelcast's health endpoint.
   */
  void awaitSafe(int members) {
    until(90, () -> {
      for (int i = 0; i < nodes.length; i++) {
        if (nodes[i] == null || !nodes[i].process().isAlive()) {
          continue;
        }
        JsonObject health = health(i);
        if (health == null || health.getInteger("clusterSize", 0) != members
            || !health.getBoolean("clusterSafe", false) || health.getInteger("migrationQueueSize", 1) != 0) {
          return false;
        }
      }
      return true;
    }, () -> "cluster of " + members + " not formed and safe: " + healthOfAll());
  }

  private String healthOfAll() {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < nodes.length; i++) {
      out.add(i + "=" + (nodes[i] != null && nodes[i].process().isAlive() ? health(i) : "down"));
    }
    return out.toString();
  }

  private JsonObject health(int i) {
    try {
      HttpResponse<String> r = nodes[i].http().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + ports.get(i) + "/hazelcast/health")).timeout(Duration.ofSeconds(2)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
    } catch (Exception notYet) {
      return null;
    }
  }

  /** Calls a function on member {@code i}, waiting up to {@code seconds} for the answer. */
  CompletableFuture<HttpResponse<String>> call(int i, String functionId, JsonObject input, long seconds) {
    NodeProcess node = nodes[i];
    return node.http().sendAsync(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + node.httpPort + "/functions/" + functionId))
        .timeout(Duration.ofSeconds(seconds)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(input.encode())).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The logs of every member started, for a failure message. */
  String logs() {
    StringBuilder out = new StringBuilder();
    for (NodeProcess n : all) {
      out.append("---- ").append(n.log).append('\n');
    }
    return out.toString();
  }

  @Override
  public void close() {
    all.forEach(NodeProcess::close);
  }
}
