package io.streamnode.function;

import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayList;
import java.util.List;

/**
 * The event-bus consumers a verticle registers, kept together so that start-up can wait until
 * all are registered (cluster-wide when clustered) and stop can remove them all.
 */
public final class ConsumerGroup {

  private final List<MessageConsumer<?>> consumers = new ArrayList<>();

  /** Adds a consumer; returns it. */
  public <T> MessageConsumer<T> add(MessageConsumer<T> consumer) {
    consumers.add(consumer);
    return consumer;
  }

  /** Completes when every consumer added so far is registered. */
  public Future<Void> ready() {
    List<Future<?>> ready = new ArrayList<>(consumers.size());
    consumers.forEach(c -> ready.add(c.completion()));
    return Future.all(ready).mapEmpty();
  }

  /** Unregisters every consumer; completes when all are gone, whatever failed. */
  public Future<Void> unregisterAll() {
    List<Future<?>> done = new ArrayList<>(consumers.size());
    consumers.forEach(c -> done.add(c.unregister()));
    consumers.clear();
    return Future.join(done).<Void>mapEmpty().otherwiseEmpty();
  }
}
