package io.streamnode.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnode.StreamNode;
import io.streamnode.api.Worker;
import io.streamnode.config.NodeOptions;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.HttpFunctions;
import io.streamnode.testing.TestNodes;
import io.streamnode.testing.TestSocket;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Presence on one node: {@code streamnode::presence} answers the exact subscriptions of a group
 * with their id, the auth function's context, the node and the join time; a join with
 * {@code "presence": true} gets coalesced join/leave notices of its group as a custom event of
 * type {@code streamnode:presence}, while a join without it gets exactly the iii frames (sync,
 * then the group's changes) and no notice; bad input fails like a stream function's.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 120, timeUnit = TimeUnit.SECONDS)
class PresenceTest {

  /** The bound of a wait for something that should happen at once: generous, a loaded CI machine is slow, not wrong. */
  private static final long WAIT_S = 30;

  private StreamNode node;
  private Vertx clients;
  private HttpFunctions http;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    Worker worker = Worker.create(vertx);
    // The auth function's context travels with the connection into presence.
    worker.registerFunction("test::auth", input -> Future.succeededFuture(FunctionResult.of(new JsonObject()
        .put("context", new JsonObject().put("user", ((JsonObject) input).getJsonObject("query_params")
            .getJsonArray("user").getString(0)))))).await(WAIT_S, TimeUnit.SECONDS);
    NodeOptions options = TestNodes.options();
    options.getStreamSocket().setAuthFunction("test::auth");
    options.getPresence().setNoticeIntervalMs(200);
    node = StreamNode.start(vertx, options).await(20, TimeUnit.SECONDS);
    clients = Vertx.vertx();
    http = HttpFunctions.create(clients, node.httpPort());
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close().await(20, TimeUnit.SECONDS);
    }
    clients.close().await(10, TimeUnit.SECONDS);
  }

  private TestSocket join(String user, String sub, boolean presence) throws Exception {
    TestSocket socket = TestSocket.connect(clients, node.streamSocketPort(), "/?user=" + user).await(WAIT_S, TimeUnit.SECONDS);
    JsonObject join = TestSocket.command("join", sub, "room", "lobby", null);
    if (presence) {
      join.getJsonObject("data").put("presence", true);
    }
    socket.send(join).await(WAIT_S, TimeUnit.SECONDS);
    assertEquals("sync", socket.frame(0).await(WAIT_S, TimeUnit.SECONDS).getJsonObject("event").getString("type"));
    return socket;
  }

  private JsonObject presence() throws Exception {
    return (JsonObject) http.call("streamnode::presence", new JsonObject().put("stream_name", "room")
        .put("group_id", "lobby")).await(WAIT_S, TimeUnit.SECONDS);
  }

  @Test
  void presenceListsEverySubscriptionAndOnlyOptedInJoinsGetNotices() throws Exception {
    TestSocket ann = join("ann", "a", true);
    TestSocket bob = join("bob", "b", false);
    TestSocket cid = join("cid", "c", false);

    JsonObject all = presence();
    assertEquals(3, all.getInteger("count"));
    JsonArray subs = all.getJsonArray("subscriptions");
    Set<String> ids = new HashSet<>();
    for (Object o : subs) {
      JsonObject e = (JsonObject) o;
      ids.add(e.getString("subscription_id"));
      assertEquals(node.nodeId(), e.getString("node"));
      assertNotNull(e.getLong("joined_at"));
    }
    assertEquals(Set.of("a", "b", "c"), ids);
    assertEquals(new JsonObject().put("user", "ann"), subs.getJsonObject(0).getJsonObject("context"), subs.encode());

    // Ann hears of Bob's and Cid's joins (coalesced into one or two notices), then of Cid's leave.
    Set<String> joinedSeen = new HashSet<>();
    int frame = 1;
    while (!joinedSeen.containsAll(Set.of("b", "c"))) {
      JsonObject notice = notice(ann.frame(frame++).await(WAIT_S, TimeUnit.SECONDS));
      notice.getJsonArray("joined").forEach(j -> joinedSeen.add(((JsonObject) j).getString("subscription_id")));
    }
    cid.close().await(WAIT_S, TimeUnit.SECONDS);
    JsonObject left = notice(ann.frame(frame).await(WAIT_S, TimeUnit.SECONDS));
    assertEquals("c", left.getJsonArray("left").getJsonObject(0).getString("subscription_id"));
    assertEquals(2, left.getInteger("count"));
    assertEquals(2, presence().getInteger("count"));

    // Bob (no opt-in) got exactly iii's frames: the sync, then the group's change, nothing else.
    http.call("stream::set", new JsonObject().put("stream_name", "room").put("group_id", "lobby")
        .put("item_id", "x").put("data", 1)).await(WAIT_S, TimeUnit.SECONDS);
    assertEquals("create", bob.frame(1).await(WAIT_S, TimeUnit.SECONDS).getJsonObject("event").getString("type"));
    List<JsonObject> bobs = bob.received();
    assertEquals(2, bobs.size(), "Bob's frames: " + bobs);
    ann.close().await(WAIT_S, TimeUnit.SECONDS);
    bob.close().await(WAIT_S, TimeUnit.SECONDS);
  }

  private static JsonObject notice(JsonObject frame) {
    JsonObject event = frame.getJsonObject("event");
    assertEquals("event", event.getString("type"), frame.encode());
    assertEquals("streamnode:presence", event.getJsonObject("event").getString("type"), frame.encode());
    JsonObject data = event.getJsonObject("event").getJsonObject("data");
    assertEquals("room", data.getString("stream_name"));
    assertEquals("lobby", data.getString("group_id"));
    return data;
  }

  @Test
  void badInputFailsLikeAStreamFunction() throws Exception {
    String notAMap = http.raw("streamnode::presence", "room").await(WAIT_S, TimeUnit.SECONDS).toString();
    assertEquals("deserialization_error", new JsonObject(notAMap).getJsonObject("error").getString("code"), notAMap);
    String missing = http.raw("streamnode::presence", new JsonObject().put("stream_name", "room"))
        .await(WAIT_S, TimeUnit.SECONDS).toString();
    assertTrue(missing.contains("missing field `group_id`"), missing);
    String tooLong = http.raw("streamnode::presence", new JsonObject().put("stream_name", "room")
        .put("group_id", "g".repeat(300))).await(WAIT_S, TimeUnit.SECONDS).toString();
    assertEquals("invalid_name", new JsonObject(tooLong).getJsonObject("error").getString("code"), tooLong);
  }
}
