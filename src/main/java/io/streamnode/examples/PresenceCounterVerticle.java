package io.streamnode.examples;

import io.streamnode.api.Worker;
import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Example of a capability added by deploying a verticle: live presence counts.
 * Every join of a subscription to {@code S/G} increments item {@code G} of group {@code S} in the
 * stream {@code presence}; every leave (or socket close) decrements it. A page that subscribes to
 * {@code presence/S} sees the number of viewers of each group of {@code S} change live.
 *
 * <pre>scripts/streamnode start --deploy io.streamnode.examples.PresenceCounterVerticle</pre>
 * In a cluster every node deploys it; its triggers are registered once for the cluster, so each
 * join is counted once, not once per node.
 */
public class PresenceCounterVerticle extends VerticleBase {

  /** The stream that holds the counts. Joins to it are not counted, so watching counts is free. */
  public static final String PRESENCE_STREAM = "presence";

  private Worker worker;

  @Override
  public Future<?> start() {
    worker = Worker.create(vertx);
    return worker.registerFunction("presence::on_join", input -> count(input, 1))
        .compose(v -> worker.registerFunction("presence::on_leave", input -> count(input, -1)))
        .compose(v -> worker.registerTriggerOnce("presence::join", "stream:join", "presence::on_join", new JsonObject()))
        .compose(v -> worker.registerTriggerOnce("presence::leave", "stream:leave", "presence::on_leave", new JsonObject()));
  }

  @Override
  public Future<?> stop() {
    return worker.close();
  }

  private Future<FunctionResult> count(Object input, int delta) {
    if (!(input instanceof JsonObject join) || PRESENCE_STREAM.equals(join.getString("stream_name"))) {
      return Future.succeededFuture(FunctionResult.NONE);
    }
    JsonObject update = new JsonObject()
        .put("stream_name", PRESENCE_STREAM)
        .put("group_id", join.getString("stream_name"))
        .put("item_id", join.getString("group_id"))
        .put("ops", new JsonArray().add(new JsonObject().put("type", "increment").put("path", "online").put("by", delta)));
    // The join handler's answer decides authorization; an empty object allows the join.
    return worker.call("stream::update", update).map(r -> FunctionResult.of(new JsonObject()));
  }
}
