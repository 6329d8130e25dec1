package io.streamnode.socket;

import io.streamnode.store.event.GroupPosition;
import io.streamnode.store.event.StreamEvent;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;

/**
 * One join of one socket: a group ({@code item == null}) or a single item, and the group position
 * it has been brought to (by its sync, then by each event of the group, its item's or not).
 *
 * <p>Until a sync is out the subscription is pending, and events that arrive meanwhile wait in a
 * bounded buffer, so the client sees the sync first and then exactly the events after it. Once
 * live, each event is checked against the position: the next one is delivered; one already
 * covered (same epoch, offset not above) is a duplicate and dropped (the snapshot and the events
 * may travel different paths: a Redis command and the pub/sub connection, another cluster node);
 * anything else (an offset that jumps, another epoch) means events were lost on the way, and the
 * subscription <em>resyncs</em>: a fresh sync of the current state, then live events again. Nothing
 * is dropped silently.
 */
final class Subscription {

  /** What {@link #accept} decided for an event. */
  enum Verdict { SEND, SKIP, RESYNC }

  final StreamSocket socket;
  final String id;
  final String stream;
  final String group;
  final String item;
  /** Joined with {@code "presence": true}: gets the group's presence notices. */
  boolean presence;
  /** This subscription's key in the presence directory, once reported. */
  String presenceKey;
  /** Whether the client asked for positions ({@code since} or {@code positions: true}). */
  final boolean positions;
  /** Events held while a sync is on its way; {@code null} once live. */
  private List<StreamEvent> held = new ArrayList<>(2);
  private boolean overflowed;
  /**
   * The position the client has been brought to, meaningful once live; kept as two fields, not a
   * {@link GroupPosition}, so that following the group's events allocates nothing.
   * {@code atEpoch == null}: activated without a known position, the next event sets it.
   */
  private String atEpoch;
  private long atOffset;
  /** An epoch this subscription moved away from: its late events are stale, not news. */
  private String staleEpoch;

  Subscription(StreamSocket socket, String id, String stream, String group, String item, boolean positions) {
    this.socket = socket;
    this.id = id;
    this.stream = stream;
    this.group = group;
    this.item = item;
    this.positions = positions;
  }

  boolean matches(String eventItem) {
    return item == null || item.equals(eventItem);
  }

  boolean pending() {
    return held != null;
  }

  /** The position the client has been brought to, or null if not known yet. */
  GroupPosition position() {
    return atEpoch == null ? null : new GroupPosition(atEpoch, atOffset);
  }

  /**
   * Takes a live event of the group: holds it while pending ({@link Verdict#SKIP}), else moves the
   * position and says whether the socket gets it, or that the subscription must resync.
   */
  Verdict accept(StreamEvent event, String epoch, int maxHeld) {
    if (held != null) {
      if (held.size() < maxHeld) {
        held.add(event);
      } else {
        overflowed = true;
      }
      return Verdict.SKIP;
    }
    return check(event, epoch);
  }

  /** {@code epoch}: the event's epoch, the same String instance for every subscription of the group. */
  private Verdict check(StreamEvent event, String epoch) {
    long offset = event.offset();
    if (epoch.equals(staleEpoch)) {
      return Verdict.SKIP;
    }
    boolean sameEpoch = atEpoch != null && epoch.equals(atEpoch);
    if (atEpoch == null // activated without a known position (no sync could be read): the first event sets it
        || (sameEpoch ? offset == atOffset + 1 : GroupPosition.NO_EPOCH.equals(atEpoch) && offset == 1)) {
      atEpoch = epoch;
      atOffset = offset;
      return matches(event.id()) ? Verdict.SEND : Verdict.SKIP;
    }
    if (sameEpoch && offset <= atOffset) {
      return Verdict.SKIP; // a duplicate: the sync or an earlier delivery covered it
    }
    return Verdict.RESYNC;
  }

  /** Goes back to pending: a new sync is on its way. */
  void resyncing() {
    if (held == null) {
      held = new ArrayList<>(2);
    }
  }

  /** Whether the sync has gone out (presence notices wait for it). */
  boolean active() {
    return held == null;
  }

  /**
   * Ends the pending phase at {@code position} (the sync's, or the last recovered event's; {@code
   * null} when no position could be read, so the next event sets it) and returns the held events
   * the socket must get, in order. Returns {@code null} when the held
   * events show a gap, or some were dropped, so the subscription must resync again.
   */
  List<StreamEvent> activate(GroupPosition position) {
    if (atEpoch != null && position != null && !atEpoch.equals(position.epoch())
        && !GroupPosition.NO_EPOCH.equals(atEpoch)) {
      staleEpoch = atEpoch;
    }
    atEpoch = position == null ? null : position.epoch();
    atOffset = position == null ? 0 : position.offset();
    List<StreamEvent> pendingEvents = held;
    boolean lost = overflowed;
    held = null;
    overflowed = false;
    if (lost) {
      return null;
    }
    List<StreamEvent> out = new ArrayList<>(pendingEvents.size());
    for (StreamEvent e : pendingEvents) {
      switch (check(e, e.epoch())) {
        case SEND -> out.add(e);
        case SKIP -> { }
        case RESYNC -> {
          return null;
        }
      }
    }
    return out;
  }

  /** The payload of {@code stream:join} / {@code stream:leave} handlers (snake_case, as iii). */
  JsonObject triggerPayload(Object context) {
    return new JsonObject().put("subscription_id", id).put("stream_name", stream).put("group_id", group)
        .put("id", item).put("context", context);
  }
}
