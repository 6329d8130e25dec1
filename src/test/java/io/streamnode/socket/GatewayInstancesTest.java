package io.streamnode.socket;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.testing.FreePorts;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * README: {@code stream_socket.instances} sets the number of gateway event loops. Connections are
 * spread over the instances (Vert.x hands them out in turn), so with three instances and six
 * sockets every instance serves some: each must still get every event of its group once, in the
 * group's order, and a leave on one instance must not disturb the others.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GatewayInstancesTest {

  private static final long WAIT_S = 20;

  @Test
  void withThreeGatewayInstancesEverySocketGetsEveryEventOnceInOrder(Vertx vertx) throws Exception {
    NodeOptions options = TestNodes.options();
    // A fixed port: with port 0 each instance would bind a random port of its own (Vert.x shares a
    // server between instances only on the same port), and every test socket would reach the first.
    options.getStreamSocket().setInstances(3).setPort(FreePorts.listenPort());
    StreamNode node = TestNodes.start(vertx, options).timeout(WAIT_S, TimeUnit.SECONDS).await();
    HttpFunctions http = HttpFunctions.create(vertx, node.httpPort());
    List<TestSocket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 6; i++) {
        TestSocket s = TestSocket.connect(vertx, node.streamSocketPort()).timeout(WAIT_S, TimeUnit.SECONDS).await();
        sockets.add(s);
        s.join("sub", "inst", "g", null);
        s.frame(0).timeout(WAIT_S, TimeUnit.SECONDS).await(); // the sync
      }
      // The last socket leaves half-way: the others keep receiving.
      TestSocket leaver = sockets.get(5);
      int writes = 30;
      for (int n = 1; n <= writes; n++) {
        if (n == 16) {
          // The leaver has the first 15 events, then leaves, and the leave is handled before the
          // next write: a connection's frames are handled in order, so the sync of a later join
          // on it proves it. (A 100 ms sleep stood for both; a loaded machine outlasts it.)
          leaver.frames(16).timeout(WAIT_S, TimeUnit.SECONDS).await();
          leaver.leave("sub", "inst", "g", null).timeout(WAIT_S, TimeUnit.SECONDS).await();
          leaver.join("after-leave", "inst-marker", "g", null).timeout(WAIT_S, TimeUnit.SECONDS).await();
          leaver.frame(16).timeout(WAIT_S, TimeUnit.SECONDS).await();
        }
        http.call("stream::set", new JsonObject().put("stream_name", "inst").put("group_id", "g")
            .put("item_id", "i" + n).put("data", n)).timeout(WAIT_S, TimeUnit.SECONDS).await();
      }
      // A last write as a marker (0): a socket that has it has every event of the group before it,
      // so anything extra would show before it (a fixed 200 ms wait proved nothing).
      http.call("stream::set", new JsonObject().put("stream_name", "inst").put("group_id", "g")
          .put("item_id", "marker").put("data", 0)).timeout(WAIT_S, TimeUnit.SECONDS).await();
      List<Integer> all = IntStream.rangeClosed(0, writes).map(n -> n == writes ? 0 : n + 1).boxed().toList();
      for (TestSocket s : sockets.subList(0, 5)) {
        List<Integer> got = s.frames(2 + writes).timeout(WAIT_S, TimeUnit.SECONDS).await().subList(1, 2 + writes)
            .stream().map(f -> f.getJsonObject("event").getInteger("data")).toList();
        assertEquals(all, got, "every event once, in order, and nothing else before the marker");
      }
      List<Integer> leaverGot = leaver.received().stream().skip(1)
          .filter(f -> "inst".equals(f.getString("streamName")))
          .map(f -> f.getJsonObject("event").getInteger("data")).toList();
      assertEquals(IntStream.rangeClosed(1, 15).boxed().toList(), leaverGot, "the leaver got every event until it left, once");
    } finally {
      Future.join(sockets.stream().map(s -> s.close().otherwiseEmpty()).toList()).timeout(WAIT_S, TimeUnit.SECONDS).await();
      http.close().otherwiseEmpty().timeout(WAIT_S, TimeUnit.SECONDS).await();
      node.close().timeout(WAIT_S, TimeUnit.SECONDS).await();
    }
  }
}
