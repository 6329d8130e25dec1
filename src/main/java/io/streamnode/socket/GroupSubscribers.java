package io.streamnode.socket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.streamnode.store.event.StreamEvent;
import io.vertx.core.Future;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.ArrayList;
import java.util.List;

/**
 * The subscriptions of one gateway instance to one group, and the event-bus consumer that feeds
 * them. The consumer exists only while there is at least one local subscription, so in a cluster
 * a node receives a group's events only while it has subscribers for it.
 */
final class GroupSubscribers {

  private final MessageConsumer<StreamEvent> consumer;
  private final List<Subscription> subscriptions = new ArrayList<>(4);

  GroupSubscribers(MessageConsumer<StreamEvent> consumer) {
    this.consumer = consumer;
    consumer.handler(msg -> deliver(msg.body()));
  }

  /** Completes when the consumer is registered (cluster-wide when clustered). */
  Future<Void> ready() {
    return consumer.completion();
  }

  List<Subscription> subscriptions() {
    return subscriptions;
  }

  void add(Subscription s) {
    subscriptions.add(s);
  }

  /** Removes a subscription; returns true when the group has none left (and the consumer is gone). */
  boolean remove(Subscription s) {
    subscriptions.remove(s);
    if (subscriptions.isEmpty()) {
      consumer.unregister();
      return true;
    }
    return false;
  }

  private void deliver(StreamEvent event) {
    String item = event.id();
    // The WebSocket frame is built once, on first match, and every socket writes a view of it.
    ByteBuf frame = null;
    try {
      // Indexed loop: no iterator allocation on the fan-out path.
      for (int i = 0, n = subscriptions.size(); i < n; i++) {
        Subscription s = subscriptions.get(i);
        if (s.matches(item)) {
          if (frame == null) {
            frame = TextFrame.encode(event.frame(), ByteBufAllocator.DEFAULT);
          }
          s.deliver(event, frame);
        }
      }
    } finally {
      if (frame != null) {
        frame.release(); // the sockets' views hold it until their writes complete
      }
    }
  }
}
