package io.streamnode.socket;

import io.netty.buffer.ByteBuf;
import io.streamnode.store.event.StreamEvent;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * One join of one socket: a group ({@code item == null}) or a single item. Until its initial
 * sync is sent it is pending, and events that arrive meanwhile wait in a small buffer, so the
 * client sees the sync first and then exactly the events after it. Events the snapshot already
 * holds are dropped by sequence number, also once the subscription is live: the snapshot reply and
 * the events may travel different paths (Redis command vs pub/sub connection, another cluster node),
 * so an event the snapshot includes can still arrive after the sync.
 */
final class Subscription {

  final StreamSocket socket;
  final String id;
  final String stream;
  final String group;
  final String item;
  /** Joined with {@code "presence": true}: gets the group's presence notices. */
  boolean presence;
  /** This subscription's key in the presence directory, once reported. */
  String presenceKey;
  private List<StreamEvent> pending = new ArrayList<>(2);
  /** The snapshot's sequence number: events at or below it are in the sync already. */
  private long afterSeq = Long.MIN_VALUE;

  Subscription(StreamSocket socket, String id, String stream, String group, String item) {
    this.socket = socket;
    this.id = id;
    this.stream = stream;
    this.group = group;
    this.item = item;
  }

  boolean matches(String eventItem) {
    return item == null || item.equals(eventItem);
  }

  /**
   * Delivers an event to the socket as {@code frame} (its shared WebSocket frame), or holds it
   * until the sync has gone out.
   */
  void deliver(StreamEvent event, ByteBuf frame) {
    if (pending != null) {
      pending.add(event);
    } else if (event.seq() > afterSeq) {
      socket.sendShared(frame);
    }
  }

  /** Whether the sync has gone out (presence notices wait for it). */
  boolean active() {
    return pending == null;
  }

  /** Ends the pending phase: sends held events newer than the snapshot ({@code snapshotSeq}). */
  void activate(long snapshotSeq) {
    afterSeq = snapshotSeq;
    List<StreamEvent> held = pending;
    pending = null;
    for (StreamEvent e : held) {
      if (e.seq() > afterSeq) {
        socket.send(e.frame());
      }
    }
  }

  /** The payload of {@code stream:join} / {@code stream:leave} handlers (snake_case, as iii). */
  JsonObject triggerPayload(Object context) {
    return new JsonObject().put("subscription_id", id).put("stream_name", stream).put("group_id", group)
        .put("id", item).put("context", context);
  }
}
