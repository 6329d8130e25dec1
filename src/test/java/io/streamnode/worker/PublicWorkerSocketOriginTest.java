package io.streamnode.worker;

import io.streamnode.config.NodeOptions;
import io.streamnode.testing.Bounded;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * With {@code public_worker_socket.allowed_origins} listed, only those pages may open the public
 * worker socket (403 for another, before the auth function is asked); clients that send no
 * {@code Origin} (SDK workers, servers) are not pages and pass.
 */
class PublicWorkerSocketOriginTest extends PublicWorkerTestBase {

  @Override
  protected NodeOptions options() {
    NodeOptions options = super.options();
    options.getPublicWorkerSocket().setAllowedOrigins(List.of("https://app.example"));
    return options;
  }

  @Test
  void onlyListedOriginsAndClientsWithoutOriginGetIn() throws Exception {
    try (RawWorker page = connectPublic(GOOD, Map.of("Origin", "https://app.example"))) {
      assertEquals("workerregistered", page.next().getString("type"));
    }
    try (RawWorker server = connectPublic(GOOD)) {
      assertEquals("workerregistered", server.next().getString("type"));
    }
    int asked = authInputs.size();
    WebSocketClient client = vertx.createWebSocketClient();
    try {
      ExecutionException refused = assertThrows(ExecutionException.class, () -> client.connect(new WebSocketConnectOptions()
              .setHost("127.0.0.1").setPort(publicPort()).setURI("/?" + GOOD).addHeader("Origin", "https://evil.example"))
          .toCompletionStage().toCompletableFuture().get(WAIT_S, TimeUnit.SECONDS));
      assertEquals(403, assertInstanceOf(UpgradeRejectedException.class, refused.getCause()).getStatus());
    } finally {
      Bounded.await(client.close(), WAIT_S);
    }
    assertEquals(asked, authInputs.size(), "the auth function was asked about a refused origin");
  }
}
