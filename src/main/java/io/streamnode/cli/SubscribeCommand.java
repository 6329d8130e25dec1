package io.streamnode.cli;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.util.concurrent.CountDownLatch;

/**
 * {@code streamnode subscribe STREAM GROUP [ITEM]}: joins a subscription on a stream socket and
 * prints every frame it receives, one JSON per line, until interrupted.
 */
public final class SubscribeCommand {

  private SubscribeCommand() {
  }

  /** Runs the command; returns the process exit code. */
  public static int run(String url, String stream, String group, String item) throws InterruptedException {
    URI uri = URI.create(url);
    Vertx vertx = Vertx.vertx();
    WebSocketClient client = vertx.createWebSocketClient();
    CountDownLatch done = new CountDownLatch(1);
    int[] exit = {0};
    WebSocketConnectOptions options = new WebSocketConnectOptions()
        .setHost(uri.getHost()).setPort(uri.getPort() < 0 ? 80 : uri.getPort())
        .setURI(uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath());
    client.connect(options).onComplete(ar -> {
      if (ar.failed()) {
        System.err.println("streamnode: cannot connect to " + url + ": " + ar.cause().getMessage());
        exit[0] = 1;
        done.countDown();
        return;
      }
      System.err.println("subscribed to " + stream + "/" + group + (item == null ? "" : "/" + item)
          + " on " + url + " (Ctrl-C to stop)");
      ar.result().textMessageHandler(System.out::println);
      ar.result().closeHandler(v -> done.countDown());
      ar.result().writeTextMessage(new JsonObject().put("type", "join").put("data", new JsonObject()
          .put("subscriptionId", "cli").put("streamName", stream).put("groupId", group).put("id", item)).encode());
    });
    done.await();
    // Vert.x closes clients that become unreachable: this use keeps it alive until the end.
    client.close();
    vertx.close();
    return exit[0];
  }
}
