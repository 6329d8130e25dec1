package io.streamnode.cli;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code streamnode trigger FUNCTION [key=value ...] [--json JSON] [--address HOST] [--port PORT]
 * [--timeout-ms MS]}: calls a function over the worker socket, as {@code iii trigger} does, and
 * prints its result as pretty JSON (nothing for a null or absent result). A function error is
 * printed to stderr as {@code Error: {code, message}} and exits 1; so do connection failures and
 * time-outs, with a message saying what went wrong.
 */
public final class TriggerCommand {

  static final String USAGE = """
      Usage: streamnode trigger FUNCTION [key=value ...] [--json JSON] [--address HOST] [--port PORT] [--timeout-ms MS]

      Calls FUNCTION on a running node over its worker socket and prints the result as JSON.
        key=value        Input fields; a value is JSON when it parses (count=10 -> 10), else a string.
        --json JSON      The whole input as JSON; key=value pairs then override its keys.
        --address HOST   Node address (default localhost).
        --port PORT      Worker socket port (default 49134).
        --timeout-ms MS  How long to wait for the result (default 30000).
        --token TOKEN    The node's worker_socket.token (default: env STREAMNODE_WORKER_SOCKET_TOKEN).

      Example: streamnode trigger stream::list stream_name=clicks group_id=all
      """;

  private TriggerCommand() {
  }

  /** Runs the command; returns the exit code. */
  public static int run(List<String> args) {
    String function = null;
    String json = null;
    String address = "localhost";
    int port = 49134;
    long timeoutMs = 30_000;
    String token = System.getenv("STREAMNODE_WORKER_SOCKET_TOKEN");
    List<String> pairs = new ArrayList<>();
    try {
      for (int i = 0; i < args.size(); i++) {
        String a = args.get(i);
        switch (a) {
          case "--help", "-h" -> {
            System.out.print(USAGE);
            return 0;
          }
          case "--json" -> json = value(args, ++i, a);
          case "--address" -> address = value(args, ++i, a);
          case "--port" -> port = Integer.parseInt(value(args, ++i, a));
          case "--timeout-ms" -> timeoutMs = Long.parseLong(value(args, ++i, a));
          case "--token" -> token = value(args, ++i, a);
          default -> {
            if (a.startsWith("--")) {
              throw new IllegalArgumentException("unknown option " + a);
            } else if (function == null) {
              function = a;
            } else {
              pairs.add(a);
            }
          }
        }
      }
      if (function == null) {
        throw new IllegalArgumentException("FUNCTION is required");
      }
      Object payload = TriggerPayload.parse(pairs, json);
      return invoke(address, port, timeoutMs, token, function, payload);
    } catch (IllegalArgumentException e) {
      System.err.println("streamnode trigger: " + e.getMessage());
      System.err.print(USAGE);
      return 2;
    }
  }

  private static String value(List<String> args, int i, String option) {
    if (i >= args.size()) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args.get(i);
  }

  private static int invoke(String address, int port, long timeoutMs, String token, String function, Object payload) {
    Vertx vertx = Vertx.vertx();
    WebSocketClient client = vertx.createWebSocketClient();
    String invocationId = UUID.randomUUID().toString();
    CompletableFuture<JsonObject> reply = new CompletableFuture<>();
    // No Origin header: the worker socket refuses upgrades from web pages, which is what one says.
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(address).setPort(port).setURI("/")
        .setAllowOriginHeader(false);
    if (token != null && !token.isEmpty()) {
      options.addHeader("Authorization", "Bearer " + token);
    }
    client.connect(options)
        .onFailure(reply::completeExceptionally)
        .onSuccess((WebSocket ws) -> {
          ws.textMessageHandler(text -> {
            try {
              JsonObject msg = new JsonObject(text);
              if ("invocationresult".equals(msg.getString("type")) && invocationId.equals(msg.getString("invocation_id"))) {
                reply.complete(msg);
              }
            } catch (DecodeException | ClassCastException ignored) {
              // not for us
            }
          });
          ws.closeHandler(v -> reply.completeExceptionally(new IllegalStateException("the node closed the connection")));
          ws.writeTextMessage(new JsonObject().put("type", "invokefunction").put("invocation_id", invocationId)
              .put("function_id", function).put("data", payload).encode());
        });
    try {
      JsonObject msg = reply.get(timeoutMs, TimeUnit.MILLISECONDS);
      if (msg.getValue("error") instanceof JsonObject error) {
        System.err.println("Error: " + error.encodePrettily());
        return 1;
      }
      Object result = msg.getValue("result");
      if (result != null) {
        System.out.println(result instanceof JsonObject o ? o.encodePrettily()
            : result instanceof io.vertx.core.json.JsonArray arr ? arr.encodePrettily() : io.vertx.core.json.Json.encode(result));
      }
      return 0;
    } catch (TimeoutException e) {
      System.err.println("streamnode trigger: timed out waiting for the node (no response within " + timeoutMs
          + " ms). Is the node running at " + address + ":" + port + "?");
      return 1;
    } catch (Exception e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      System.err.println("streamnode trigger: cannot call " + function + " on ws://" + address + ":" + port + "/: "
          + cause.getMessage());
      return 1;
    } finally {
      client.close();
      vertx.close();
    }
  }
}
