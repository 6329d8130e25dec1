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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README: {@code stream_socket.instances} sets the number of gateway event loops. Connections are
 * spread over the instances (Vert.x hands them out in turn), so with three instances and six
 * sockets every instance serves some: each must still get every event of its group once, in the
 * group's order, and a leave on one instance must not disturb the others.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GatewayInstancesTest {

  private static final long WAIT_S = 10;

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
          leaver.leave("sub", "inst", "g", null).timeout(WAIT_S, TimeUnit.SECONDS).await();
          Thread.sleep(100); // let the leave be handled before the next write (checked below)
        }
        http.call("stream::set", new JsonObject().put("stream_name", "inst").put("group_id", "g")
            .put("item_id", "i" + n).put("data", n)).timeout(WAIT_S, TimeUnit.SECONDS).await();
      }
      List<Integer> all = IntStream.rangeClosed(1, writes).boxed().toList();
      for (TestSocket s : sockets.subList(0, 5)) {
        List<Integer> got = s.frames(1 + writes).timeout(WAIT_S, TimeUnit.SECONDS).await().subList(1, 1 + writes)
            .stream().map(f -> f.getJsonObject("event").getInteger("data")).toList();
        assertEquals(all, got, "every event once, in order");
      }
      Thread.sleep(200); // anything extra would have arrived with the events above
      for (TestSocket s : sockets.subList(0, 5)) {
        assertEquals(1 + writes, s.received().size(), "nothing extra: " + s.received());
      }
      List<Integer> leaverGot = leaver.received().stream().skip(1)
          .map(f -> f.getJsonObject("event").getInteger("data")).toList();
      Set<Integer> distinct = new HashSet<>(leaverGot);
      assertEquals(leaverGot.size(), distinct.size(), "no event twice: " + leaverGot);
      assertTrue(leaverGot.size() >= 15 && leaverGot.size() < writes, "the leaver got events until it left: " + leaverGot);
    } finally {
      Future.join(sockets.stream().map(s -> s.close().otherwiseEmpty()).toList()).timeout(WAIT_S, TimeUnit.SECONDS).await();
      http.close().otherwiseEmpty().timeout(WAIT_S, TimeUnit.SECONDS).await();
      node.close().timeout(WAIT_S, TimeUnit.SECONDS).await();
    }
  }
}
