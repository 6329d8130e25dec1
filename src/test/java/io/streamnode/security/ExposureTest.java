package io.streamnode.security;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.TestNodes;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.ExecutionException;

import static io.streamnode.security.SecurityClients.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A node bound beyond loopback without a token refuses to start unless told {@code --insecure}. */
@ExtendWith(VertxExtension.class)
@Timeout(30_000)
class ExposureTest {

  @Test
  void loopbackNamesAreLoopback() {
    assertTrue(Exposure.isLoopback("127.0.0.1"));
    assertTrue(Exposure.isLoopback("localhost"));
    assertTrue(Exposure.isLoopback("::1"));
    assertFalse(Exposure.isLoopback("0.0.0.0"));
    assertFalse(Exposure.isLoopback("::"));
  }

  @Test
  void aWorkerSocketOnAllInterfacesWithoutATokenStopsStartUp(Vertx vertx) {
    NodeOptions options = TestNodes.options();
    options.getWorkerSocket().setHost("0.0.0.0");
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(StreamNode.start(vertx, options)));
    assertTrue(e.getCause().getMessage().contains("worker_socket on 0.0.0.0 has no worker_socket.token"), e.getCause().getMessage());
    assertTrue(e.getCause().getMessage().contains("--insecure"));
  }

  @Test
  void anHttpApiOnAllInterfacesWithoutATokenStopsStartUp(Vertx vertx) {
    NodeOptions options = TestNodes.options();
    options.getHttpApi().setHost("0.0.0.0");
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(StreamNode.start(vertx, options)));
    assertTrue(e.getCause().getMessage().contains("http_api on 0.0.0.0 has no http_api.token"), e.getCause().getMessage());
  }

  @Test
  void withTokensANodeMayListenOnAllInterfaces(Vertx vertx) throws Exception {
    NodeOptions options = TestNodes.options();
    options.getHttpApi().setHost("0.0.0.0").setToken("a");
    options.getWorkerSocket().setHost("0.0.0.0").setToken("b");
    StreamNode node = await(StreamNode.start(vertx, options));
    await(node.close());
  }

  @Test
  void insecureStartsAnyway(Vertx vertx) throws Exception {
    NodeOptions options = TestNodes.options().setInsecure(true);
    options.getWorkerSocket().setHost("0.0.0.0");
    StreamNode node = await(StreamNode.start(vertx, options));
    await(node.close());
  }

  @Test
  void aDisabledHttpApiNeedsNoToken(Vertx vertx) throws Exception {
    NodeOptions options = TestNodes.options();
    options.getHttpApi().setHost("0.0.0.0").setEnabled(false);
    StreamNode node = await(StreamNode.start(vertx, options));
    assertEquals(-1, node.httpPort());
    await(node.close());
  }

  @Test
  void aPublicWorkerSocketOnAllInterfacesWithoutAnAuthFunctionStopsStartUp(Vertx vertx) {
    NodeOptions options = TestNodes.options();
    options.getPublicWorkerSocket().setEnabled(true).setPort(0).setHost("0.0.0.0");
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(StreamNode.start(vertx, options)));
    assertTrue(e.getCause().getMessage().contains(
        "public_worker_socket on 0.0.0.0 has no public_worker_socket.rbac.auth_function_id"), e.getCause().getMessage());
  }

  @Test
  void aPublicWorkerSocketWithAnAuthFunctionMayListenOnAllInterfaces(Vertx vertx) throws Exception {
    NodeOptions options = TestNodes.options();
    options.getPublicWorkerSocket().setEnabled(true).setPort(0).setHost("0.0.0.0").getRbac().setAuthFunctionId("app::auth");
    StreamNode node = await(StreamNode.start(vertx, options));
    assertTrue(node.publicWorkerSocketPort() > 0);
    await(node.close());
  }

  @Test
  void aDisabledPublicWorkerSocketNeedsNothingAndListensNowhere(Vertx vertx) throws Exception {
    NodeOptions options = TestNodes.options();
    options.getPublicWorkerSocket().setHost("0.0.0.0");
    StreamNode node = await(StreamNode.start(vertx, options));
    assertEquals(-1, node.publicWorkerSocketPort());
    await(node.close());
  }
}
