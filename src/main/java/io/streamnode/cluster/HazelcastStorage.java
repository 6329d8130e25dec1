package io.streamnode.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IndeterminateOperationStateException;
import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.IMap;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.query.Predicate;
import io.streamnode.store.CompareAndSetStorage;
import io.streamnode.store.StreamStorage;
import io.streamnode.store.event.EventDraft;
import io.streamnode.store.event.GroupPosition;
import io.streamnode.store.event.HistoryOptions;
import io.streamnode.store.event.StreamEvent;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import java.util.concurrent.TimeUnit;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;

/**
 * The kv adapter in cluster mode: one entry per group in the Hazelcast map {@value #MAP_NAME} (a
 * {@link GroupEntry}: items as JSON text in insertion order, the group's position and its recent
 * events), so a group lives on one partition and its owner member is the group's owner. Every
 * change is an entry processor: it runs on the partition's thread, atomically, takes the group's
 * next offset in the same step, and is applied to the synchronous backup before it is
 * acknowledged, so losing one member loses no acknowledged write and no position (backup-count 1,
 * see cluster.xml). Whichever member submits a write, the partition applies it once, in one order.
 *
 * <p>A group whose last item is deleted keeps its entry (position and history) for the history's
 * age bound, then Hazelcast expires it; written again after that, it starts a new epoch.
 */
public final class HazelcastStorage implements CompareAndSetStorage {

  /**
   * Compare-and-set rounds of one {@code stream::update}. They conflict only while two members
   * both take themselves for a group's owner (a partition moving), so a few suffice.
   */
  static final int UPDATE_ATTEMPTS = 64;

  /** The Hazelcast map holding the groups. */
  public static final String MAP_NAME = "streamnode.groups";

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final HistoryOptions history;
  private IMap<String, GroupEntry> groups;
  /** Members this one must see for a write to count (split-brain protection); 0: none. */
  private int quorum;
  private Context context;

  public HazelcastStorage(Vertx vertx, HazelcastInstance hazelcast) {
    this(vertx, hazelcast, new HistoryOptions());
  }

  public HazelcastStorage(Vertx vertx, HazelcastInstance hazelcast, HistoryOptions history) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.history = new HistoryOptions(history);
  }

  /** The map key of a group; also the key whose partition owner owns the group. */
  public static String key(String stream, String group) {
    return stream.length() + ":" + stream + "/" + group;
  }

  private static String streamOf(String key) {
    int colon = key.indexOf(':');
    int len = Integer.parseInt(key.substring(0, colon));
    return key.substring(colon + 1, colon + 1 + len);
  }

  private static String groupOf(String key) {
    int colon = key.indexOf(':');
    int len = Integer.parseInt(key.substring(0, colon));
    return key.substring(colon + 2 + len);
  }

  @Override
  public Future<Void> open() {
    context = vertx.getOrCreateContext();
    return vertx.executeBlocking(() -> {
      groups = hazelcast.getMap(MAP_NAME);
      String protection = hazelcast.getConfig().getMapConfig(MAP_NAME).getSplitBrainProtectionName();
      quorum = protection == null ? 0 : hazelcast.getConfig().getSplitBrainProtectionConfig(protection).getMinimumClusterSize();
      return null;
    });
  }

  @Override
  public Future<Object> get(String stream, String group, String item) {
    return reading(() -> groups.submitToKey(key(stream, group), new ReadItem(item))).map(HazelcastStorage::decode);
  }

  /** The item and, as its version, the group's position: any write to the group in between is a conflict. */
  @Override
  public Future<Read> read(String stream, String group, String item) {
    return reading(() -> groups.submitToKey(key(stream, group), new ReadSnapshot(item)))
        .map(r -> new Read(r.values().isEmpty() ? ABSENT : Json.decodeValue(r.values().get(0)), r.position()));
  }

  @Override
  public Future<Written> replace(String stream, String group, String item, Read expected, Object value,
                                 EventDraft event) {
    Write write = new Write(Write.SET, item, Json.encode(value), event, GroupPosition.newEpoch(), history)
        .expecting((GroupPosition) expected.version());
    return acknowledged(groups.submitToKey(key(stream, group), write)).map(r -> r == null ? null : written(stream, group, item, event, r));
  }

  @Override
  public int maxUpdateAttempts() {
    return UPDATE_ATTEMPTS;
  }

  private Written written(String stream, String group, String item, EventDraft event, WriteResult r) {
    Buffer gap = EventDraft.upsertGap(r.old() != null);
    if (r.replayed()) {
      // The call was applied before its owner died: the event of what was stored then.
      EventDraft then = EventDraft.upsert(stream, group, item, r.timestamp(), Buffer.buffer(r.value()));
      return new Written(decode(r.old()), then.complete(r.position(), gap), true, Json.decodeValue(r.value()));
    }
    return new Written(decode(r.old()), event.complete(r.position(), gap));
  }

  @Override
  public Future<Written> set(String stream, String group, String item, Object value, EventDraft event) {
    Write write = new Write(Write.SET, item, Json.encode(value), event, GroupPosition.newEpoch(), history);
    return acknowledged(groups.submitToKey(key(stream, group), write)).map(r -> written(stream, group, item, event, r));
  }

  @Override
  public Future<Written> delete(String stream, String group, String item, EventDraft event) {
    Write write = new Write(Write.DELETE, item, null, event, GroupPosition.newEpoch(), history);
    return acknowledged(groups.submitToKey(key(stream, group), write)).map(r -> r == null ? new Written(ABSENT, null)
        : new Written(decode(r.old()), event.complete(r.position(), Buffer.buffer(r.old())), r.replayed(), null));
  }

  @Override
  public Future<StreamEvent> publish(EventDraft event) {
    Write write = new Write(Write.PUBLISH, event.id(), null, event, GroupPosition.newEpoch(), history);
    return acknowledged(groups.submitToKey(key(event.stream(), event.group()), write))
        .map(r -> event.complete(r.position(), Buffer.buffer()));
  }

  @Override
  public Future<Snapshot> snapshot(String stream, String group, String item) {
    return reading(() -> groups.submitToKey(key(stream, group), new ReadSnapshot(item))).map(r -> {
      Object data;
      if (item == null) {
        List<Object> values = new ArrayList<>(r.values().size());
        r.values().forEach(v -> values.add(Json.decodeValue(v)));
        data = new JsonArray(values);
      } else {
        data = r.values().isEmpty() ? null : Json.decodeValue(r.values().get(0));
      }
      return new Snapshot(r.position(), data);
    });
  }

  @Override
  public Future<GroupPosition> position(String stream, String group) {
    return reading(() -> groups.submitToKey(key(stream, group), new ReadPosition()));
  }

  @Override
  public Future<List<StreamEvent>> since(String stream, String group, GroupPosition since) {
    long oldest = System.currentTimeMillis() - history.getTtlMs();
    return reading(() -> groups.submitToKey(key(stream, group), new ReadSince(since, oldest)))
        .map(past -> {
          if (past == null) {
            return null;
          }
          List<StreamEvent> events = new ArrayList<>(past.events().size());
          for (GroupEntry.PastEvent e : past.events()) {
            events.add(new StreamEvent(stream, group, e.item(), past.epoch(), e.offset(), e.timestamp(),
                Buffer.buffer(e.frame())));
          }
          return events;
        });
  }

  @Override
  public Future<List<Object>> list(String stream, String group) {
    return reading(() -> groups.submitToKey(key(stream, group), new ReadSnapshot(null))).map(r -> {
      List<Object> out = new ArrayList<>(r.values().size());
      r.values().forEach(v -> out.add(Json.decodeValue(v)));
      return out;
    });
  }

  @Override
  public Future<List<String>> listGroups(String stream) {
    // A cluster-wide key scan: fine for an administrative listing, not for a hot path.
    return vertx.executeBlocking(() -> {
      List<String> out = new ArrayList<>();
      for (String k : groups.keySet(new HasItems())) {
        if (streamOf(k).equals(stream)) {
          out.add(groupOf(k));
        }
      }
      return out;
    });
  }

  @Override
  public Future<SortedMap<String, SortedSet<String>>> listAll() {
    return vertx.executeBlocking(() -> {
      SortedMap<String, SortedSet<String>> all = new TreeMap<>();
      for (String k : groups.keySet(new HasItems())) {
        all.computeIfAbsent(streamOf(k), s -> new TreeSet<>()).add(groupOf(k));
      }
      return all;
    });
  }

  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  private <T> Future<T> on(CompletionStage<T> stage) {
    return Future.fromCompletionStage(stage, context);
  }

  /**
   * A write, acknowledged only if this member still sees a quorum once it is done. A member cut off
   * from the others applies a write on its own primary in the seconds before it notices the split,
   * and Hazelcast completes it, without its backup, when it then removes the unreachable members:
   * the majority never had it, and the healing discards it. Seeing fewer members than the quorum at
   * completion is exactly that case: the write is answered as indeterminate, never acknowledged.
   */
  private <T> Future<T> acknowledged(CompletionStage<T> stage) {
    return on(stage).compose(r -> quorum > 1 && hazelcast.getCluster().getMembers().size() < quorum
        ? Future.failedFuture(new IndeterminateOperationStateException("the write completed after this member lost"
            + " sight of a quorum of " + quorum + " members: it may be discarded when the cluster heals"))
        : Future.succeededFuture(r));
  }

  /**
   * A read (a read-only entry processor), asked again if its member died with it in flight.
   * Hazelcast runs an entry processor as an entry operation, read-only or not, and with split-brain
   * protection on (see {@code ClusterMember#protectData}) such an operation fails with
   * {@link IndeterminateOperationStateException} instead of moving to the new owner: right for a
   * write, which may have been applied, needless for a read (a resuming client got a full sync
   * instead of its missed events when the node it resumed through asked the dying owner).
   */
  private <T> Future<T> reading(java.util.function.Supplier<CompletionStage<T>> op) {
    return reading(op, 3);
  }

  private <T> Future<T> reading(java.util.function.Supplier<CompletionStage<T>> op, int attempts) {
    return on(op.get()).recover(err -> attempts > 1 && (err instanceof IndeterminateOperationStateException
        || err.getCause() instanceof IndeterminateOperationStateException)
        ? reading(op, attempts - 1) : Future.failedFuture(err));
  }

  private static Object decode(String json) {
    return json == null ? ABSENT : Json.decodeValue(json);
  }

  /**
   * What a write did: the old JSON text (null if absent) and the event's position; {@code replayed}
   * with the JSON text stored then, for a call the entry had applied already.
   */
  record WriteResult(String old, GroupPosition position, boolean replayed, String value, long timestamp)
      implements java.io.Serializable {
  }

  /**
   * A set, delete or publish, with the group's next offset and the event kept in its history, in
   * one step. Deterministic (the epoch for a new group and the time come with it), so the backup
   * replica, which runs the same processor, ends in the same state.
   */
  static final class Write implements EntryProcessor<String, GroupEntry, WriteResult> {
    private static final long serialVersionUID = 1L;
    static final byte SET = 0;
    static final byte DELETE = 1;
    static final byte PUBLISH = 2;
    private final byte kind;
    private final String item;
    private final String json;
    private final byte[] before;
    private final byte[] after;
    private final long timestamp;
    private final String newEpoch;
    private final String callId;
    /** For a compare-and-set: the group's position the write was computed from, else null. */
    private GroupPosition expected;
    private final int historySize;
    private final long historyTtlMs;

    Write(byte kind, String item, String json, EventDraft event, String newEpoch, HistoryOptions history) {
      this.kind = kind;
      this.item = item;
      this.json = json;
      this.before = event.before().getBytes();
      this.after = event.after().getBytes();
      this.timestamp = event.timestamp();
      this.newEpoch = newEpoch;
      this.callId = event.callId();
      this.historySize = history.getSize();
      this.historyTtlMs = history.getTtlMs();
    }

    /** Makes this write a compare-and-set against {@code position} (answered null on a conflict). */
    Write expecting(GroupPosition position) {
      this.expected = position;
      return this;
    }

    @Override
    public WriteResult process(Map.Entry<String, GroupEntry> entry) {
      GroupEntry group = entry.getValue();
      if (callId != null && group != null) {
        GroupEntry.Applied done = group.applied.get(callId);
        if (done != null) {
          return new WriteResult(done.old(), new GroupPosition(group.epoch, done.offset()), true, done.value(),
              done.timestamp());
        }
      }
      if (kind == DELETE && (group == null || !group.items.containsKey(item))) {
        return null;
      }
      if (expected != null) {
        GroupPosition now = group == null ? GroupPosition.NONE : new GroupPosition(group.epoch, group.offset);
        if (!now.equals(expected)) {
          return null; // the group changed since the read: the caller reads again
        }
      }
      if (group == null) {
        group = new GroupEntry(newEpoch);
      }
      String old = null;
      byte[] gap;
      if (kind == SET) {
        old = group.items.put(item, json);
        gap = (old == null ? "create" : "update").getBytes(java.nio.charset.StandardCharsets.UTF_8);
      } else if (kind == DELETE) {
        old = group.items.remove(item);
        gap = old.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      } else {
        gap = new byte[0];
      }
      byte[] frame = new byte[before.length + gap.length + after.length];
      System.arraycopy(before, 0, frame, 0, before.length);
      System.arraycopy(gap, 0, frame, before.length, gap.length);
      System.arraycopy(after, 0, frame, before.length + gap.length, after.length);
      long offset = group.next(item, timestamp, frame, historySize, historyTtlMs);
      if (callId != null) {
        group.applied(callId, new GroupEntry.Applied(old, json, offset, timestamp));
      }
      if (group.items.isEmpty() && entry instanceof ExtendedMapEntry<String, GroupEntry> extended) {
        // Kept only for its position and history: expires with the history's age bound.
        extended.setValue(group, Math.max(1, historyTtlMs), TimeUnit.MILLISECONDS);
      } else {
        entry.setValue(group);
      }
      return new WriteResult(old, new GroupPosition(group.epoch, offset), false, null, timestamp);
    }
  }

  /** The group's values (or one item's, {@code item != null}) and its position. */
  record SnapshotResult(GroupPosition position, ArrayList<String> values) implements java.io.Serializable {
  }

  static final class ReadSnapshot implements EntryProcessor<String, GroupEntry, SnapshotResult>, ReadOnly {
    private static final long serialVersionUID = 1L;
    private final String item;

    ReadSnapshot(String item) {
      this.item = item;
    }

    @Override
    public SnapshotResult process(Map.Entry<String, GroupEntry> entry) {
      GroupEntry group = entry.getValue();
      if (group == null) {
        return new SnapshotResult(GroupPosition.NONE, new ArrayList<>());
      }
      ArrayList<String> values = new ArrayList<>();
      if (item == null) {
        values.addAll(group.items.values());
      } else if (group.items.containsKey(item)) {
        values.add(group.items.get(item));
      }
      return new SnapshotResult(new GroupPosition(group.epoch, group.offset), values);
    }

    @Override
    public EntryProcessor<String, GroupEntry, SnapshotResult> getBackupProcessor() {
      return null;
    }
  }

  static final class ReadPosition implements EntryProcessor<String, GroupEntry, GroupPosition>, ReadOnly {
    private static final long serialVersionUID = 1L;

    @Override
    public GroupPosition process(Map.Entry<String, GroupEntry> entry) {
      GroupEntry group = entry.getValue();
      return group == null ? GroupPosition.NONE : new GroupPosition(group.epoch, group.offset);
    }

    @Override
    public EntryProcessor<String, GroupEntry, GroupPosition> getBackupProcessor() {
      return null;
    }
  }

  /** The events after a position, or null when the entry's history does not hold them all. */
  record PastEvents(String epoch, ArrayList<GroupEntry.PastEvent> events) implements java.io.Serializable {
  }

  static final class ReadSince implements EntryProcessor<String, GroupEntry, PastEvents>, ReadOnly {
    private static final long serialVersionUID = 1L;
    private final GroupPosition since;
    private final long oldest;

    ReadSince(GroupPosition since, long oldest) {
      this.since = since;
      this.oldest = oldest;
    }

    @Override
    public PastEvents process(Map.Entry<String, GroupEntry> entry) {
      GroupEntry group = entry.getValue();
      if (group == null) {
        return since.isNone() ? new PastEvents(GroupPosition.NO_EPOCH, new ArrayList<>()) : null;
      }
      long after = since.isNone() ? 0 : since.offset();
      if ((!since.isNone() && !since.epoch().equals(group.epoch)) || after > group.offset) {
        return null;
      }
      ArrayList<GroupEntry.PastEvent> out = new ArrayList<>();
      long expect = after + 1;
      for (GroupEntry.PastEvent e : group.history) {
        if (e.offset() < expect || e.timestamp() < oldest) {
          continue;
        }
        if (e.offset() != expect) {
          return null;
        }
        out.add(e);
        expect++;
      }
      return expect == group.offset + 1 ? new PastEvents(group.epoch, out) : null;
    }

    @Override
    public EntryProcessor<String, GroupEntry, PastEvents> getBackupProcessor() {
      return null;
    }
  }

  /** Reads one item's JSON text, or null. */
  static final class ReadItem implements EntryProcessor<String, GroupEntry, String>, ReadOnly {
    private static final long serialVersionUID = 1L;
    private final String item;

    ReadItem(String item) {
      this.item = item;
    }

    @Override
    public String process(Map.Entry<String, GroupEntry> entry) {
      GroupEntry group = entry.getValue();
      return group == null ? null : group.items.get(item);
    }

    @Override
    public EntryProcessor<String, GroupEntry, String> getBackupProcessor() {
      return null;
    }
  }

  /** Groups that hold at least one item (the others are kept only for their position and history). */
  static final class HasItems implements Predicate<String, GroupEntry> {
    private static final long serialVersionUID = 1L;

    @Override
    public boolean apply(Map.Entry<String, GroupEntry> entry) {
      GroupEntry group = entry.getValue();
      return group != null && !group.items.isEmpty();
    }
  }
}
