package io.streamnode;

import io.streamnode.cli.SubscribeCommand;
import io.streamnode.cli.TriggerCommand;
import io.streamnode.cluster.ClusterMember;
import io.streamnode.config.ConfigException;
import io.streamnode.config.ConfigLoader;
import io.streamnode.config.NodeOptions;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.streamnode.metrics.NodeMetrics;
import io.streamnode.security.ConnectionLimits;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/** Command line entry point: {@code streamnode start|config|help}. */
public final class Main {

  static final String VERSION = "0.1.0";
  private static final String USAGE = """
      Usage: streamnode <command> [options]

      Commands:
        start            Start a node (kv in-memory store, stream socket on 127.0.0.1:3112,
                         HTTP function API on 127.0.0.1:3111 unless configured otherwise).
        config           Print the effective configuration (defaults < file < env < flags) as JSON.
        trigger FUNCTION [key=value ...] [--json JSON] [--address HOST] [--port PORT]
                         Call a function on a running node (worker socket) and print the result,
                         as 'iii trigger' does, e.g. trigger stream::list stream_name=clicks group_id=all
        subscribe STREAM GROUP [ITEM] [--url ws://127.0.0.1:3112/]
                         Join a subscription and print every frame received, one JSON per line.
        help, --help     Show this help.

      Options:
        --config FILE    YAML configuration (default: conf/streamnode.yaml when it exists;
                         env STREAMNODE_CONFIG).
        --deploy CLASS   Deploy a verticle class into the node after start (repeatable).
        --cluster        Join a Hazelcast cluster configured by cluster.xml (cluster: true).
        --insecure       Start even with the HTTP API or worker socket on a non-loopback address
                         and no token (insecure: true); a warning is logged on every start.
        --KEY=VALUE      Override any configuration key, dotted, e.g.
                         --stream_socket.port=3113 --adapter.config.store_method=file_based

      Every key can also be set by environment: STREAMNODE_ + the key upper-cased with dots
      as underscores, e.g. STREAMNODE_STREAM_SOCKET_PORT=3113.
      Stop a node with Ctrl-C or SIGTERM: it closes sockets and flushes storage first.
      """;

  private Main() {
  }

  public static void main(String[] args) {
    // Before any logger exists: keeps logging alive until our shutdown hook has finished.
    System.setProperty("java.util.logging.manager", NodeLogManager.class.getName());
    configureLogging();
    if (args.length == 0 || "help".equals(args[0]) || "--help".equals(args[0]) || "-h".equals(args[0])) {
      System.out.print(USAGE);
      return;
    }
    String command = args[0];
    List<String> rest = List.of(args).subList(1, args.length);
    try {
      switch (command) {
        case "start" -> start(parse(rest));
        case "config" -> System.out.println(parse(rest).toJson().encodePrettily());
        case "subscribe" -> subscribe(rest);
        case "trigger" -> System.exit(TriggerCommand.run(rest));
        case "version", "--version" -> System.out.println("streamnode " + VERSION);
        default -> fail("unknown command '" + command + "'. Run 'streamnode --help'.");
      }
    } catch (ConfigException e) {
      fail("configuration error: " + e.getMessage());
    }
  }

  /** Reads options from the config file, the environment and the flags. */
  static NodeOptions parse(List<String> args) {
    Map<String, String> flags = new LinkedHashMap<>();
    List<String> deploy = new ArrayList<>();
    String configFile = System.getenv("STREAMNODE_CONFIG");
    for (int i = 0; i < args.size(); i++) {
      String arg = args.get(i);
      if (arg.equals("--help") || arg.equals("-h")) {
        System.out.print(USAGE);
        System.exit(0);
      }
      if (!arg.startsWith("--")) {
        throw new ConfigException("unexpected argument '" + arg + "'");
      }
      String key = arg.substring(2);
      String value = null;
      int eq = key.indexOf('=');
      if (eq >= 0) {
        value = key.substring(eq + 1);
        key = key.substring(0, eq);
      }
      if ((key.equals("cluster") || key.equals("insecure")) && value == null) {
        flags.put(key, "true");
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.size()) {
          throw new ConfigException(key + ": --" + key + " needs a value");
        }
        value = args.get(++i);
      }
      switch (key) {
        case "config" -> configFile = value;
        case "deploy" -> deploy.add(value);
        default -> flags.put(key, value);
      }
    }
    Path file = null;
    if (configFile != null) {
      file = Path.of(configFile);
      if (!Files.exists(file)) {
        throw new ConfigException("--config: file " + file + " does not exist");
      }
    } else if (Files.exists(Path.of("conf/streamnode.yaml"))) {
      file = Path.of("conf/streamnode.yaml");
    }
    NodeOptions options = new ConfigLoader(System.getenv()).load(file, flags);
    options.getDeploy().addAll(deploy);
    if (file != null) {
      Logger.getLogger(Main.class.getName()).info("config: " + file);
    }
    return options;
  }

  private static void subscribe(List<String> args) {
    String url = "ws://127.0.0.1:3112/";
    List<String> names = new ArrayList<>();
    for (int i = 0; i < args.size(); i++) {
      if (args.get(i).equals("--url") && i + 1 < args.size()) {
        url = args.get(++i);
      } else if (args.get(i).startsWith("--url=")) {
        url = args.get(i).substring("--url=".length());
      } else {
        names.add(args.get(i));
      }
    }
    if (names.size() < 2 || names.size() > 3) {
      fail("usage: streamnode subscribe STREAM GROUP [ITEM] [--url ws://127.0.0.1:3112/]");
    }
    try {
      System.exit(SubscribeCommand.run(url, names.get(0), names.get(1), names.size() == 3 ? names.get(2) : null));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** This process's open-files limit, or -1 where the JVM cannot tell (not a Unix). */
  private static long maxOpenFiles() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix
        ? unix.getMaxFileDescriptorCount() : -1;
  }

  private static void start(NodeOptions options) {
    Logger log = Logger.getLogger(Main.class.getName());
    long t0 = System.nanoTime();
    log.info("streamnode " + VERSION + " starting (Java " + Runtime.version() + ", pid " + ProcessHandle.current().pid() + ")");
    VertxOptions vertxOptions = new VertxOptions().setPreferNativeTransport(true);
    if (options.getEventLoops() > 0) {
      vertxOptions.setEventLoopPoolSize(options.getEventLoops());
    }
    ClusterMember member = null;
    Vertx vertx;
    StreamNode node;
    try {
      if (options.isCluster()) {
        member = ClusterMember.join(options, vertxOptions)
            .toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
        vertx = member.vertx();
      } else {
        vertx = NodeMetrics.vertxBuilder(vertxOptions, options.getMetrics()).build();
      }
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      fail("start-up failed: cannot join the cluster: " + cause.getMessage());
      return;
    }
    log.info("transport: " + (vertx.isNativeTransportEnabled() ? "native epoll"
        : "NIO (native epoll unavailable: " + vertx.unavailableNativeTransportCause() + ")")
        + ", " + vertxOptions.getEventLoopPoolSize() + " event loop(s)");
    try {
      node = (member != null ? StreamNode.start(member, options) : StreamNode.start(vertx, options))
          .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      if (member != null) {
        member.leave();
      } else {
        vertx.close();
      }
      fail("start-up failed: " + cause.getMessage());
      return;
    }
    ClusterMember clusterMember = member;
    String shortfall = ConnectionLimits.openFilesShortfall(options.getLimits(), maxOpenFiles());
    if (shortfall != null) {
      log.warning(shortfall);
    }
    log.info(String.format("ready in %d ms", (System.nanoTime() - t0) / 1_000_000));
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      log.info("shutting down: closing sockets, flushing storage");
      node.close().eventually(() -> clusterMember != null ? clusterMember.leave() : vertx.close())
          .onComplete(ar -> stopped.countDown());
      try {
        if (!stopped.await(15, TimeUnit.SECONDS)) {
          log.warning("shutdown took longer than 15 s; exiting anyway");
        } else {
          log.info("stopped");
        }
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
      if (LogManager.getLogManager() instanceof NodeLogManager manager) {
        manager.resetNow();
      }
    }, "streamnode-shutdown"));
  }

  private static void fail(String message) {
    System.err.println("streamnode: " + message);
    System.exit(2);
  }

  private static void configureLogging() {
    if (System.getProperty("java.util.logging.config.file") != null) {
      return;
    }
    try (InputStream in = Main.class.getResourceAsStream("/streamnode-logging.properties")) {
      if (in != null) {
        LogManager.getLogManager().readConfiguration(in);
      }
    } catch (Exception ignored) {
      // default JUL configuration then
    }
  }
}
