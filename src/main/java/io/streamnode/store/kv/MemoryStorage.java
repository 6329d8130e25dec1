package io.streamnode.store.kv;

import io.streamnode.store.GroupKey;
import io.streamnode.store.StreamStorage;
import io.streamnode.store.event.EventDraft;
import io.streamnode.store.event.EventHistory;
import io.streamnode.store.event.GroupPosition;
import io.streamnode.store.event.HistoryOptions;
import io.streamnode.store.event.StreamEvent;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The kv adapter's {@code in_memory} store method: ordered maps in the heap, lost on exit.
 * Insertion order per group is kept (an overwrite keeps its position), as iii's kv store does.
 *
 * <p>Each group keeps its position and recent history beside its items. A group that has no items
 * left is kept while its history holds events (so a client can still resume past its last delete)
 * and forgotten after that: written again later, it starts a new epoch.
 */
public class MemoryStorage implements StreamStorage {

  /** One group: its items in insertion order, its position and its recent events. */
  static final class Group {
    final LinkedHashMap<String, Object> items = new LinkedHashMap<>();
    GroupPosition position = GroupPosition.fresh();
    final EventHistory history = new EventHistory();
  }

  private final Map<String, Map<String, Group>> streams = new HashMap<>();
  /** Groups without items, kept only for their history: swept once it has expired. */
  private final LinkedHashSet<GroupKey> emptied = new LinkedHashSet<>();
  private final HistoryOptions history;
  private int writesSinceSweep;

  public MemoryStorage() {
    this(new HistoryOptions());
  }

  public MemoryStorage(HistoryOptions history) {
    this.history = new HistoryOptions(history);
  }

  @Override
  public Future<Void> open() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Object> get(String stream, String group, String item) {
    return Future.succeededFuture(getNow(stream, group, item));
  }

  @Override
  public Future<Written> set(String stream, String group, String item, Object value, EventDraft event) {
    return Future.succeededFuture(setNow(stream, group, item, value, event));
  }

  @Override
  public Future<Written> delete(String stream, String group, String item, EventDraft event) {
    return Future.succeededFuture(deleteNow(stream, group, item, event));
  }

  @Override
  public Future<StreamEvent> publish(EventDraft event) {
    return Future.succeededFuture(publishNow(event));
  }

  @Override
  public Future<Snapshot> snapshot(String stream, String group, String item) {
    Group g = group(stream, group);
    GroupPosition position = g == null ? GroupPosition.NONE : g.position;
    Object data;
    if (item == null) {
      data = new JsonArray(g == null ? new ArrayList<>() : new ArrayList<>(g.items.values()));
    } else {
      Object v = getNow(stream, group, item);
      data = v == ABSENT ? null : v;
    }
    return Future.succeededFuture(new Snapshot(position, data));
  }

  @Override
  public Future<GroupPosition> position(String stream, String group) {
    return Future.succeededFuture(positionNow(stream, group));
  }

  @Override
  public Future<List<StreamEvent>> since(String stream, String group, GroupPosition since) {
    Group g = group(stream, group);
    if (g == null) {
      return Future.succeededFuture(since.isNone() ? List.of() : null);
    }
    return Future.succeededFuture(g.history.since(since, g.position, history, System.currentTimeMillis()));
  }

  @Override
  public Future<List<Object>> list(String stream, String group) {
    Group g = group(stream, group);
    return Future.succeededFuture(g == null ? new ArrayList<>() : new ArrayList<>(g.items.values()));
  }

  @Override
  public Future<List<String>> listGroups(String stream) {
    Map<String, Group> groups = streams.get(stream);
    List<String> out = new ArrayList<>();
    if (groups != null) {
      groups.forEach((id, g) -> {
        if (!g.items.isEmpty()) {
          out.add(id);
        }
      });
    }
    return Future.succeededFuture(out);
  }

  @Override
  public Future<SortedMap<String, SortedSet<String>>> listAll() {
    SortedMap<String, SortedSet<String>> all = new TreeMap<>();
    streams.forEach((stream, groups) -> groups.forEach((id, g) -> {
      if (!g.items.isEmpty()) {
        all.computeIfAbsent(stream, s -> new TreeSet<>()).add(id);
      }
    }));
    return Future.succeededFuture(all);
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  // ---- synchronous access, for adapters that keep this map as their working copy ------------

  /** The value of one item, or {@link #ABSENT}. */
  public Object getNow(String stream, String group, String item) {
    Group g = group(stream, group);
    if (g == null || !g.items.containsKey(item)) {
      return ABSENT;
    }
    return g.items.get(item);
  }

  /** Stores a value and numbers its event. */
  public Written setNow(String stream, String group, String item, Object value, EventDraft event) {
    Group g = groupForWrite(stream, group);
    boolean existed = g.items.containsKey(item);
    Object old = g.items.put(item, value);
    if (!existed) {
      emptied.remove(new GroupKey(stream, group));
    }
    StreamEvent e = number(g, event, EventDraft.upsertGap(existed));
    return new Written(existed ? old : ABSENT, e);
  }

  /** Removes an item and numbers its event; nothing happens (no event) for an absent item. */
  public Written deleteNow(String stream, String group, String item, EventDraft event) {
    Group g = group(stream, group);
    if (g == null || !g.items.containsKey(item)) {
      return new Written(ABSENT, null);
    }
    Object old = g.items.remove(item);
    StreamEvent e = number(g, event, Json.encodeToBuffer(old));
    if (g.items.isEmpty()) {
      emptied.add(new GroupKey(stream, group));
    }
    return new Written(old, e);
  }

  /** Numbers an event that changes no data. */
  public StreamEvent publishNow(EventDraft event) {
    Group g = groupForWrite(event.stream(), event.group());
    if (g.items.isEmpty()) {
      emptied.add(new GroupKey(event.stream(), event.group()));
    }
    return number(g, event, Buffer.buffer());
  }

  /** The group's position: {@link GroupPosition#NONE} for a group not known here. */
  public GroupPosition positionNow(String stream, String group) {
    Group g = group(stream, group);
    return g == null ? GroupPosition.NONE : g.position;
  }

  private StreamEvent number(Group g, EventDraft event, Buffer gap) {
    g.position = g.position.next();
    StreamEvent e = event.complete(g.position, gap);
    g.history.add(e, history, e.timestamp());
    if (++writesSinceSweep >= 1024) {
      writesSinceSweep = 0;
      sweep(System.currentTimeMillis());
    }
    return e;
  }

  /** Forgets emptied groups whose history has expired. */
  void sweep(long now) {
    for (Iterator<GroupKey> it = emptied.iterator(); it.hasNext(); ) {
      GroupKey key = it.next();
      Group g = group(key.stream(), key.group());
      if (g == null || !g.items.isEmpty()) {
        it.remove();
        continue;
      }
      g.history.prune(history, now);
      if (g.history.isEmpty()) {
        it.remove();
        remove(key.stream(), key.group());
      }
    }
  }

  // ---- replay, for the file store's recovery ----------------------------------------------

  /** Restores a set as the log recorded it, at {@code position}. */
  void restoreSet(String stream, String group, String item, Object value, GroupPosition position) {
    Group g = groupForWrite(stream, group);
    g.items.put(item, value);
    if (position != null) {
      g.position = position;
    }
    emptied.remove(new GroupKey(stream, group));
  }

  /** Restores a delete as the log recorded it, at {@code position}. */
  void restoreDelete(String stream, String group, String item, GroupPosition position) {
    Group g = group(stream, group);
    if (g == null) {
      if (position == null) {
        return;
      }
      g = groupForWrite(stream, group);
    }
    g.items.remove(item);
    if (position != null) {
      g.position = position;
    }
    if (g.items.isEmpty()) {
      remove(stream, group); // no history survives a restart: forget it now
    }
  }

  /** Restores a group's position as the log recorded it (a send, or a snapshot line). */
  void restorePosition(String stream, String group, GroupPosition position) {
    Group g = groupForWrite(stream, group);
    g.position = position;
    if (g.items.isEmpty()) {
      emptied.add(new GroupKey(stream, group));
    }
  }

  /** Undoes the last write of a group (its log record could not be written). */
  void undo(String stream, String group, String item, Object old, GroupPosition before) {
    Group g = group(stream, group);
    if (g == null) {
      return;
    }
    if (before.isNone()) {
      remove(stream, group); // the undone write created the group
      return;
    }
    if (item != null) {
      if (old == ABSENT) {
        g.items.remove(item);
      } else {
        g.items.put(item, old);
      }
    }
    g.position = before;
    g.history.clear(); // it holds the undone event; a resume then gets a full sync
  }

  /** Every group, for adapters that snapshot the whole map: stream -> group id -> group. */
  Map<String, Map<String, Group>> all() {
    return streams;
  }

  Group group(String stream, String group) {
    Map<String, Group> groups = streams.get(stream);
    return groups == null ? null : groups.get(group);
  }

  private Group groupForWrite(String stream, String group) {
    return streams.computeIfAbsent(stream, s -> new HashMap<>()).computeIfAbsent(group, id -> new Group());
  }

  private void remove(String stream, String group) {
    Map<String, Group> groups = streams.get(stream);
    if (groups != null) {
      groups.remove(group);
      if (groups.isEmpty()) {
        streams.remove(stream);
      }
    }
  }
}
