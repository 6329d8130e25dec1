package io.streamnode.socket;

import io.streamnode.presence.PresenceAddresses;
import io.streamnode.store.GroupKey;
import io.streamnode.store.event.StreamEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The gateway's side of presence: reports each subscription's join and leave to the node's
 * presence verticle, and hands the coalesced notices of a group to the subscriptions that joined
 * with {@code "presence": true}, as a custom event of type {@value #EVENT_TYPE}. Subscriptions
 * that did not ask see nothing of it.
 */
final class PresenceNotices {

  /** The custom event type of a notice: {@code {"type":"event","event":{"type":"streamnode:presence","data":..}}}. */
  static final String EVENT_TYPE = "streamnode:presence";
  private static final AtomicLong KEYS = new AtomicLong();

  private PresenceNotices() {
  }

  static void joined(EventBus bus, Subscription sub) {
    sub.presenceKey = Long.toString(KEYS.incrementAndGet());
    JsonObject entry = new JsonObject().put("subscription_id", sub.id).put("context", sub.socket.context())
        .put("joined_at", System.currentTimeMillis());
    if (sub.item != null) {
      entry.put("id", sub.item);
    }
    bus.send(PresenceAddresses.CHANGES, new JsonObject().put("op", "join").put("key", sub.presenceKey)
        .put("stream_name", sub.stream).put("group_id", sub.group).put("entry", entry));
  }

  static void left(EventBus bus, Subscription sub) {
    if (sub.presenceKey != null) {
      bus.send(PresenceAddresses.CHANGES, new JsonObject().put("op", "leave").put("key", sub.presenceKey)
          .put("stream_name", sub.stream).put("group_id", sub.group).put("subscription_id", sub.id));
    }
  }

  /** Delivers each notice to the opted-in subscriptions of this gateway instance's groups. */
  static MessageConsumer<JsonObject> deliver(EventBus bus, Map<GroupKey, GroupSubscribers> groups) {
    return bus.consumer(PresenceAddresses.NOTICES, msg -> {
      JsonObject notice = msg.body();
      String stream = notice.getString("stream_name");
      String group = notice.getString("group_id");
      GroupSubscribers subscribers = groups.get(new GroupKey(stream, group));
      if (subscribers == null) {
        return;
      }
      Buffer frame = null;
      List<Subscription> subs = subscribers.subscriptions();
      for (int i = 0, n = subs.size(); i < n; i++) {
        Subscription s = subs.get(i);
        if (s.presence && s.active()) {
          if (frame == null) {
            frame = StreamEvent.frame(stream, group, null, System.currentTimeMillis(), new JsonObject()
                .put("type", "event").put("event", new JsonObject().put("type", EVENT_TYPE).put("data", notice)));
          }
          s.socket.send(frame);
        }
      }
    });
  }
}
