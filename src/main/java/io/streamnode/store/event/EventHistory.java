package io.streamnode.store.event;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The recent events of one group, oldest first, bounded by count and by age: what a client that
 * reconnects with {@code since} is given back. Not thread-safe: its group's owner uses it.
 */
public final class EventHistory {

  private final ArrayDeque<StreamEvent> events = new ArrayDeque<>();

  /** Adds an event (the group's next) and drops what exceeds the bounds. */
  public void add(StreamEvent event, HistoryOptions options, long now) {
    if (!options.enabled()) {
      return;
    }
    events.addLast(event);
    while (events.size() > options.getSize()) {
      events.removeFirst();
    }
    prune(options, now);
  }

  /** Drops events older than the age bound. */
  public void prune(HistoryOptions options, long now) {
    long oldest = now - options.getTtlMs();
    while (!events.isEmpty() && events.peekFirst().timestamp() < oldest) {
      events.removeFirst();
    }
  }

  public boolean isEmpty() {
    return events.isEmpty();
  }

  /** Forgets every event (a new history begins). */
  public void clear() {
    events.clear();
  }

  /**
   * The events after {@code since} up to {@code current}, in order, or {@code null} when this
   * history does not hold every one of them (another epoch, an offset ahead of the group's, or
   * events already dropped).
   */
  public List<StreamEvent> since(GroupPosition since, GroupPosition current, HistoryOptions options, long now) {
    if (since.isNone()) {
      since = new GroupPosition(current.epoch(), 0); // the group did not exist: all of its history
    }
    if (!since.epoch().equals(current.epoch()) || since.offset() > current.offset()) {
      return null;
    }
    if (since.offset() == current.offset()) {
      return List.of();
    }
    prune(options, now);
    List<StreamEvent> out = new ArrayList<>((int) Math.min(1024, current.offset() - since.offset()));
    long expect = since.offset() + 1;
    for (Iterator<StreamEvent> it = events.iterator(); it.hasNext(); ) {
      StreamEvent e = it.next();
      if (!e.epoch().equals(since.epoch()) || e.offset() < expect) {
        continue;
      }
      if (e.offset() != expect) {
        return null; // the oldest held event is past the one the client needs next
      }
      out.add(e);
      expect++;
    }
    return expect == current.offset() + 1 ? out : null;
  }
}
