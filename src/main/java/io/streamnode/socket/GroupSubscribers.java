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
  private final int maxHeld;
  /** The epoch of the last event: events from another node decode their own copy of the same text. */
  private String epoch = "";

  GroupSubscribers(MessageConsumer<StreamEvent> consumer, int maxHeld) {
    this.consumer = consumer;
    this.maxHeld = maxHeld;
    consumer.handler(msg -> deliver(msg.body()));
  }

  /** Completes when the consumer is registered (cluster-wide when clustered). */
  Future<Void> ready() {
    return consumer.completion();
  }

  void add(Subscription s) {
    subscriptions.add(s);
  }

  /** The subscriptions, for a position check. Do not modify. */
  List<Subscription> subscriptions() {
    return subscriptions;
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
    // The WebSocket frames are built once, on first need, and every socket writes a view of them:
    // iii's frame for most clients, the one with the position for clients that asked for it.
    ByteBuf frame = null;
    ByteBuf positionFrame = null;
    List<Subscription> resync = null;
    String e = event.epoch();
    if (e.equals(epoch)) {
      e = epoch; // one instance: the subscriptions' comparisons are then identity checks
    } else {
      epoch = e;
    }
    try {
      // Indexed loop: no iterator allocation on the fan-out path.
      for (int i = 0, n = subscriptions.size(); i < n; i++) {
        Subscription s = subscriptions.get(i);
        switch (s.accept(event, e, maxHeld)) {
          case SEND -> {
            if (s.positions) {
              if (positionFrame == null) {
                positionFrame = TextFrame.encode(event.positionFrame(), ByteBufAllocator.DEFAULT);
              }
              s.socket.sendShared(positionFrame);
            } else {
              if (frame == null) {
                frame = TextFrame.encode(event.frame(), ByteBufAllocator.DEFAULT);
              }
              s.socket.sendShared(frame);
            }
          }
          case SKIP -> { }
          case RESYNC -> {
            if (resync == null) {
              resync = new ArrayList<>(2);
            }
            resync.add(s);
          }
        }
      }
    } finally {
      if (frame != null) {
        frame.release(); // the sockets' views hold it until their writes complete
      }
      if (positionFrame != null) {
        positionFrame.release();
      }
    }
    if (resync != null) {
      for (Subscription s : resync) {
        s.socket.resync(s, "event " + event.position() + " does not follow " + s.position());
      }
    }
  }
}
