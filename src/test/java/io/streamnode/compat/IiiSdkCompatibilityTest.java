package io.streamnode.compat;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.http.HttpApiOptions;
import io.streamnode.socket.StreamSocketOptions;
import io.streamnode.worker.PublicWorkerSocketOptions;
import io.streamnode.worker.WorkerSocketOptions;
import io.streamnode.worker.rbac.RbacOptions;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Drives a node with the real, unmodified {@code iii-sdk} from npm (the exact version pinned in
 * {@code clients/node/package.json}): starts a node in this JVM on free ports, runs
 * {@code node --test} in {@code clients/node} against it and expects every Node test to pass.
 * The suite includes {@code linkly.test.mjs}, which runs the workers of {@code examples/linkly}
 * as their README does, from that directory with its own pinned dependencies.
 * Skipped only when {@code node} is not installed; {@code npm ci} runs first in each of the two
 * directories whose {@code node_modules} is missing.
 */
@ExtendWith(VertxExtension.class)
class IiiSdkCompatibilityTest {

  private static final File CLIENT_DIR = new File("clients/node");
  private static final File LINKLY_DIR = new File("examples/linkly");
  private static final long NODE_SUITE_TIMEOUT_S = 360; // above the Node tests' own 30 s waits, so a failing one reports its own error

  private static final String WORKER_TOKEN = "compat-worker-token";
  private static final String HTTP_TOKEN = "compat-http-token";

  private StreamNode node;
  /** A second node with http_api.token and worker_socket.token, for token.test.mjs. */
  private StreamNode secured;
  /** Its own Vert.x: two nodes in one Vert.x would share one event bus and split each other's registrations. */
  private Vertx securedVertx;

  @BeforeEach
  void start(Vertx vertx) {
    NodeOptions options = new NodeOptions()
        .setStreamSocket(new StreamSocketOptions().setPort(0)
            // Served by a worker in auth.test.mjs; while no worker serves it, auth fails open (no context).
            .setAuthFunction("compat::auth"))
        .setWorkerSocket(new WorkerSocketOptions().setPort(0))
        // Its auth function is served by a worker in public.test.mjs.
        .setPublicWorkerSocket(new PublicWorkerSocketOptions().setEnabled(true).setPort(0)
            .setRbac(new RbacOptions().setAuthFunctionId("compat::public_auth")
                .setExposeFunctions(List.of("match(\"stream::list\")"))))
        .setHttpApi(new HttpApiOptions().setPort(0));
    node = StreamNode.start(vertx, options).await();
    NodeOptions securedOptions = new NodeOptions()
        .setStreamSocket(new StreamSocketOptions().setPort(0))
        .setWorkerSocket(new WorkerSocketOptions().setPort(0).setToken(WORKER_TOKEN))
        .setHttpApi(new HttpApiOptions().setPort(0).setToken(HTTP_TOKEN));
    securedVertx = Vertx.vertx();
    secured = StreamNode.start(securedVertx, securedOptions).await();
  }

  @AfterEach
  void stop() {
    node.close().await();
    secured.close().eventually(securedVertx::close).await();
  }

  @Test
  @Timeout(value = 600, unit = TimeUnit.SECONDS) // npm ci in a fresh clone, then the Node suite (360 s at most)
  void theRealIiiSdkPassesTheNodeSuite() throws Exception {
    Assumptions.assumeTrue(installed("node"), "node is not installed: skipping the iii-sdk compatibility suite");
    for (File dir : List.of(CLIENT_DIR, LINKLY_DIR)) {
      assertTrue(new File(dir, "package-lock.json").isFile(), dir + "/package-lock.json is missing");
      if (!new File(dir, "node_modules").isDirectory()) {
        assertEquals(0, run(dir, List.of("npm", "ci", "--no-audit", "--no-fund"), Map.of(), 300), "npm ci failed in " + dir);
      }
    }
    Map<String, String> env = Map.of(
        "STREAMNODE_WORKER_URL", "ws://127.0.0.1:" + node.workerSocketPort(),
        "STREAMNODE_STREAM_URL", "ws://127.0.0.1:" + node.streamSocketPort(),
        "STREAMNODE_HTTP_URL", "http://127.0.0.1:" + node.httpPort(),
        "STREAMNODE_PUBLIC_WORKER_URL", "ws://127.0.0.1:" + node.publicWorkerSocketPort(),
        "STREAMNODE_SECURE_WORKER_URL", "ws://127.0.0.1:" + secured.workerSocketPort(),
        "STREAMNODE_SECURE_HTTP_URL", "http://127.0.0.1:" + secured.httpPort(),
        "STREAMNODE_SECURE_WORKER_TOKEN", WORKER_TOKEN,
        "STREAMNODE_SECURE_HTTP_TOKEN", HTTP_TOKEN,
        // The streamnode CLI as a command line (java + this test's classpath), for cli.test.mjs.
        "STREAMNODE_CLI", new JsonArray(List.of(ProcessHandle.current().info().command().orElse("java"), "-cp",
            System.getProperty("java.class.path"), "io.streamnode.Main")).encode());
    int exit = run(CLIENT_DIR, List.of("node", "--test", "--test-concurrency=1"), env, NODE_SUITE_TIMEOUT_S);
    assertEquals(0, exit, "node --test failed; its output is in this test's log");
  }

  private static boolean installed(String command) {
    try {
      Process p = new ProcessBuilder(command, "--version").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** Runs a command in {@code dir}, streaming its output to the test log; returns its exit code. */
  private static int run(File dir, List<String> command, Map<String, String> env, long timeoutSeconds) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(command).directory(dir).redirectErrorStream(true);
    builder.environment().putAll(env);
    System.out.println("$ " + String.join(" ", command) + "   (in " + dir + ", " + env + ")");
    Process process = builder.start();
    Thread pump = new Thread(() -> {
      try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = out.readLine()) != null) {
          System.out.println("[" + command.get(0) + "] " + line);
        }
      } catch (IOException ignored) {
        // the process ended
      }
    }, "node-output");
    pump.setDaemon(true);
    pump.start();
    if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s");
    }
    pump.join(5_000);
    return process.exitValue();
  }
}
