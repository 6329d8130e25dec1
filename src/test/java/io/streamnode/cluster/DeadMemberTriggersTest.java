package io.streamnode.cluster;

import io.streamnode.api.Worker;
import io.streamnode.function.FunctionResult;
import io.streamnode.testing.HttpFunctions;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static io.streamnode.testing.Await.until;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * README: "A member's triggers are removed when it leaves or dies." Here member C dies (its
 * Hazelcast member is terminated, as by a crash: it says goodbye to no one, so only the survivors
 * can remove its triggers), then the survivors must stop firing C's trigger.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DeadMemberTriggersTest {

  private static final long WAIT_S = 30;

  @Test
  void theTriggersOfADeadMemberAreRemovedByTheSurvivors() throws Exception {
    ThreeMembers cluster = ThreeMembers.start(3).timeout(60, TimeUnit.SECONDS).await();
    ClusterMember dead = cluster.members.get(2);
    HttpFunctions http = HttpFunctions.create(cluster.members.get(1).vertx(), cluster.node(1).httpPort(), 4);
    try {
      Worker onC = Worker.create(dead.vertx());
      onC.registerFunction("cdead::handler", input -> Future.succeededFuture(FunctionResult.NULL))
          .timeout(WAIT_S, TimeUnit.SECONDS).await();
      String id = onC.registerTrigger("stream", "cdead::handler", new JsonObject().put("stream_name", "c-dead"))
          .timeout(WAIT_S, TimeUnit.SECONDS).await();
      until("C's trigger replicated to A and B", Duration.ofSeconds(30),
          () -> map(cluster, 0).containsKey(id) && map(cluster, 1).containsKey(id), () -> "");

      dead.hazelcast().getLifecycleService().terminate();
      dead.vertx().close().otherwiseEmpty().timeout(WAIT_S, TimeUnit.SECONDS).await();
      until("the survivors removed the dead member's trigger", Duration.ofSeconds(30),
          () -> !map(cluster, 0).containsKey(id) && !map(cluster, 1).containsKey(id),
          () -> "A: " + map(cluster, 0).keySet() + " B: " + map(cluster, 1).keySet());

      // And dispatch no longer calls it: a survivor now serves the same function id (a call to
      // it would be counted), and a control trigger on the same stream shows the writes reached
      // dispatch on whichever member owns each group.
      List<String> deadCalls = new CopyOnWriteArrayList<>();
      List<String> controlCalls = new CopyOnWriteArrayList<>();
      Worker onA = Worker.create(cluster.members.get(0).vertx());
      onA.registerFunction("cdead::handler", input -> {
        deadCalls.add(((JsonObject) input).getString("groupId"));
        return Future.succeededFuture(FunctionResult.NULL);
      }).timeout(WAIT_S, TimeUnit.SECONDS).await();
      onA.registerFunction("cdead::control", input -> {
        controlCalls.add(((JsonObject) input).getString("groupId"));
        return Future.succeededFuture(FunctionResult.NULL);
      }).timeout(WAIT_S, TimeUnit.SECONDS).await();
      String control = onA.registerTrigger("stream", "cdead::control", new JsonObject().put("stream_name", "c-dead"))
          .timeout(WAIT_S, TimeUnit.SECONDS).await();
      until("the control trigger replicated", Duration.ofSeconds(30),
          () -> map(cluster, 0).containsKey(control) && map(cluster, 1).containsKey(control), () -> "");
      // The function's owner is replicated too: until B knows it, B's dispatch of the trigger for the
      // groups B owns finds no function (and drops the call, fire-and-forget). Wait until B can call it.
      HttpFunctions viaB = HttpFunctions.create(cluster.members.get(1).vertx(), cluster.node(1).httpPort());
      until("the control function callable through B", Duration.ofSeconds(30), () -> {
        try {
          viaB.call("cdead::control", new JsonObject().put("probe", true)).toCompletionStage().toCompletableFuture()
              .get(5, TimeUnit.SECONDS);
          return true;
        } catch (Exception notYet) {
          return false;
        }
      }, () -> "");
      viaB.close();
      controlCalls.removeIf(java.util.Objects::isNull); // the probes carry no groupId
      for (int g = 0; g < 10; g++) { // ten groups: owners on both survivors
        http.call("stream::set", new JsonObject().put("stream_name", "c-dead").put("group_id", "g" + g)
            .put("item_id", "i").put("data", g)).timeout(WAIT_S, TimeUnit.SECONDS).await();
      }
      until("the control trigger fired for the ten writes", Duration.ofSeconds(30),
          () -> controlCalls.size() >= 10, controlCalls::toString);
      Thread.sleep(300); // the dead trigger, had it survived, would have fired alongside the control
      assertEquals(List.of(), deadCalls, "the dead member's trigger fired");
      onA.close().otherwiseEmpty().timeout(WAIT_S, TimeUnit.SECONDS).await();
    } finally {
      http.close().otherwiseEmpty().timeout(WAIT_S, TimeUnit.SECONDS).await();
      ThreeMembers survivors = new ThreeMembers();
      survivors.members.addAll(cluster.members.subList(0, 2));
      survivors.nodes.addAll(cluster.nodes.subList(0, 2));
      survivors.stop().otherwiseEmpty().timeout(60, TimeUnit.SECONDS).await();
    }
  }

  private static Map<Object, Object> map(ThreeMembers cluster, int member) {
    return Map.copyOf(cluster.members.get(member).hazelcast().getReplicatedMap(ReplicatedTriggerCatalog.MAP_NAME));
  }
}
