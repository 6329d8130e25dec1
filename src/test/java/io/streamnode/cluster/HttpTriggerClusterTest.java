package io.streamnode.cluster;

import io.streamnode.api.Worker;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.PlainHttp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An {@code http} route registered on one member is served by every member's HTTP API: the
 * trigger travels in the replicated catalog, the call over the clustered event bus. It goes
 * when its worker does.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class HttpTriggerClusterTest {

  private static final long WAIT_S = 30;
  private static ThreeMembers cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    // 5 s call timeout: a request that reaches node A just after the worker's function left it is
    // dropped by the clustered event bus (Vert.x answers no remote request for an address without
    // handlers) and ends only with the call's timeout; the wait for the 404 must outlast a few.
    cluster = ThreeMembers.start(2, o -> o.getLimits().setCallTimeoutMs(5_000)).await(90, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.stop().await(WAIT_S, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRouteRegisteredThroughNodeAIsServedByNodeBAndGoesWithItsWorker() throws Exception {
    Worker onA = Worker.create(cluster.members.get(0).vertx());
    onA.registerFunction("clustered::hello", input -> {
      JsonObject request = (JsonObject) input;
      return Future.succeededFuture(FunctionResult.of(new JsonObject().put("status_code", 200)
          .put("headers", new JsonObject().put("X-Served-For", request.getJsonObject("headers").getString("x-caller")))
          .put("body", new JsonObject().put("hello", request.getJsonObject("path_params").getString("name")))));
    }).await(WAIT_S, TimeUnit.SECONDS);
    onA.registerTrigger("http", "clustered::hello",
        new JsonObject().put("api_path", "/hello/:name").put("http_method", "GET")).await(WAIT_S, TimeUnit.SECONDS);

    PlainHttp nodeB = PlainHttp.to(cluster.node(1).httpPort());
    HttpResponse<String> r = nodeB.until(nodeB.request("/hello/bea").header("X-Caller", "test").GET(),
        response -> response.statusCode() != 404);
    assertEquals(200, r.statusCode(), r.body());
    assertEquals(new JsonObject().put("hello", "bea"), new JsonObject(r.body()));
    assertEquals("test", r.headers().firstValue("x-served-for").orElseThrow());

    onA.close().await(WAIT_S, TimeUnit.SECONDS);
    HttpResponse<String> gone = nodeB.until(nodeB.request("/hello/bea").GET(), response -> response.statusCode() == 404);
    assertEquals("NOT_FOUND", new JsonObject(gone.body()).getJsonObject("error").getString("code"));
  }
}
