package io.streamnode.store;

import io.streamnode.metrics.StoreMeters;
import io.streamnode.store.custom.CustomCalls;
import io.streamnode.store.custom.CustomImplementationCatalog;
import io.streamnode.store.custom.CustomImplementations;
import io.streamnode.store.event.EncodedSnapshot;
import io.streamnode.store.event.EventDraft;
import io.streamnode.store.event.GroupPosition;
import io.streamnode.store.event.Recovery;
import io.streamnode.store.event.StreamEvent;
import io.streamnode.store.update.UpdateOps;

import io.streamnode.config.LimitsOptions;
import io.streamnode.function.ConsumerGroup;
import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionHandler;
import io.streamnode.function.FunctionResult;
import io.streamnode.store.custom.CustomImplementations.Op;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The stream store: the only writer of stream data on this node. It serves the eight
 * {@code stream::*} functions on event-bus addresses named by their function ids, applies the
 * writes of each (stream, group) through that group's {@link GroupOwner}, and publishes every
 * change once, pre-encoded, on the group's address (for sockets) and to trigger dispatch.
 *
 * <p>A stream with a custom implementation ({@code stream::<op>(<stream_name>)} registered
 * anywhere, see {@link CustomImplementations}) has that op served by it instead of the storage,
 * as iii does; its writes still run in the group's order and still produce the group's events.
 *
 * <p>Deploy exactly one instance per node: ownership of groups lives in this instance.
 */
public class StoreVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(StoreVerticle.class.getName());

  private final StreamStorage storage;
  /** The storage when it publishes events itself (redis): writes then go through it, not {@link #emit}. */
  private final PublishingStorage publishing;
  /** The storage when several nodes may write one group at once: updates are compare-and-sets. */
  private final CompareAndSetStorage cas;
  private final LimitsOptions limits;
  private final GroupOwnership ownership;
  private final CustomImplementationCatalog customCatalog;
  private final Map<String, FunctionHandler> ownedHandlers = new HashMap<>();
  private final Map<GroupKey, GroupOwner> owners = new HashMap<>();
  /** Set when the verticle stops: completed once no group has an operation queued. */
  private Promise<Void> drained;
  /** The id of the call being handled right now, if it came from {@link #route}; see {@link #handleCall}. */
  private String callId;
  /** Prefix of the ids of the calls this verticle routes (see {@link #nextCallId}). */
  private final String callIdPrefix = java.util.UUID.randomUUID() + ":";
  private long callCount;
  /** Calls sent to the owner of their group on another node and not yet answered, by owner node. */
  private final Map<String, Set<Promise<FunctionResult>>> forwarded = new HashMap<>();
  private final ConsumerGroup consumers = new ConsumerGroup();
  private FunctionBus functions;
  private EventBus eventBus;
  private CustomImplementations custom;
  private CustomCalls customCalls;

  /**
   * @param storage where data lives; opened on start and closed on stop by this verticle
   * @param limits name and item size limits
   */
  public StoreVerticle(StreamStorage storage, LimitsOptions limits) {
    this(storage, limits, GroupOwnership.SINGLE_NODE);
  }

  /**
   * @param storage where data lives; opened on start and closed on stop by this verticle
   * @param limits name and item size limits
   * @param ownership which node owns each group; calls for a group owned elsewhere are forwarded there
   */
  public StoreVerticle(StreamStorage storage, LimitsOptions limits, GroupOwnership ownership) {
    this(storage, limits, ownership, CustomImplementationCatalog.local());
  }

  /**
   * @param storage where data lives; opened on start and closed on stop by this verticle
   * @param limits name and item size limits
   * @param ownership which node owns each group; calls for a group owned elsewhere are forwarded there
   * @param customCatalog where the nodes serving custom stream implementations are known (replicated in a cluster)
   */
  public StoreVerticle(StreamStorage storage, LimitsOptions limits, GroupOwnership ownership,
                       CustomImplementationCatalog customCatalog) {
    this.storage = storage;
    this.publishing = storage instanceof PublishingStorage p ? p : null;
    this.cas = storage instanceof CompareAndSetStorage c ? c : null;
    this.limits = limits;
    this.ownership = ownership;
    this.customCatalog = customCatalog;
  }

  private boolean clustered() {
    return ownership != GroupOwnership.SINGLE_NODE;
  }

  @Override
  public Future<?> start() {
    eventBus = vertx.eventBus();
    functions = new FunctionBus(vertx, limits.getCallTimeoutMs());
    custom = new CustomImplementations(customCatalog);
    customCalls = new CustomCalls(functions);
    return storage.open().compose(v -> custom.open()).compose(v -> {
      // Told by the worker socket and the Java API of this node, before any call that follows.
      consumers.add(eventBus.<JsonObject>localConsumer(StoreAddresses.CUSTOM_IMPLEMENTATIONS, msg -> {
        String id = msg.body().getString("id");
        (msg.body().getBoolean("registered", false) ? custom.localRegistered(id) : custom.localUnregistered(id))
            .onComplete(done -> msg.reply(null));
      }));
      serveOwned("stream::set", this::set);
      serveOwned("stream::get", this::get);
      serveOwned("stream::delete", this::delete);
      serveOwned("stream::update", this::update);
      serveOwned("stream::list", this::list);
      serve("stream::list_groups", this::listGroups);
      serve("stream::list_all", this::listAll);
      serveOwned("stream::send", this::send);
      serveOwned(StoreAddresses.SNAPSHOT, this::snapshot);
      serve(StoreAddresses.POSITION, this::position);
      serve(StoreAddresses.RECOVER, this::recover);
      if (clustered()) {
        // Membership changed: calls waiting on an owner that has left are sent to the new owner.
        consumers.add(eventBus.localConsumer(StoreAddresses.POSITIONS_SUSPECT, msg -> ownersLeft()));
        // Calls forwarded by other nodes for the groups this node owns.
        consumers.add(eventBus.consumer(StoreAddresses.node(ownership.localNode()), msg -> {
          FunctionHandler handler = ownedHandlers.get(msg.headers().get(FunctionBus.FUNCTION_HEADER));
          String call = msg.headers().get(FunctionBus.CALL_ID_HEADER);
          functions.serve(msg, handler == null
              ? input -> Future.failedFuture(new FunctionException(ErrorCode.FUNCTION_NOT_FOUND, "unknown store function"))
              : input -> handleCall(handler, input, call));
        }));
      }
      return consumers.ready();
    });
  }

  @Override
  public Future<?> stop() {
    return consumers.unregisterAll()
        .eventually(this::drain)
        .eventually(() -> custom == null ? Future.succeededFuture() : custom.close())
        .eventually(storage::close);
  }

  /**
   * Waits (at most a call's timeout) until every operation already accepted has completed and
   * answered its caller, so no caller of a stopping node waits out its timeout on a write the
   * storage closed under. New calls no longer reach this verticle: in a cluster they find no
   * handler here and are routed again once the group's partition has moved.
   */
  private Future<Void> drain() {
    drained = Promise.promise();
    if (owners.isEmpty()) {
      drained.complete();
      return drained.future();
    }
    int queued = owners.size();
    long timer = vertx.setTimer(limits.getCallTimeoutMs(), t -> {
      LOG.warning("store: stopping with " + owners.size() + " group(s) still busy after "
          + limits.getCallTimeoutMs() + " ms (limits.call_timeout_ms)");
      drained.tryComplete();
    });
    LOG.fine(() -> "store: stopping, waiting for the operations of " + queued + " group(s)");
    return drained.future().onComplete(done -> vertx.cancelTimer(timer));
  }

  private void ownerIdle(GroupKey key) {
    owners.remove(key);
    if (drained != null && owners.isEmpty()) {
      drained.tryComplete();
    }
  }

  /** A function that needs no owner (listings): served where it is called. */
  private void serve(String functionId, FunctionHandler untimed) {
    FunctionHandler handler = StoreMeters.timed(StoreMeters.adapter(storage), functionId, untimed);
    consumers.add(consumer(functionId, clustered(), handler));
  }

  /**
   * The store's own services for the stream socket (snapshot, position, recover: addresses
   * {@code streamnode.store.*}) are not functions: they are served outside the function namespace.
   */
  private MessageConsumer<Object> consumer(String functionId, boolean local, FunctionHandler handler) {
    if (functionId.startsWith(StoreAddresses.INTERNAL_PREFIX)) {
      return functions.registerInternal(functionId, local, handler);
    }
    return local ? functions.registerLocal(functionId, handler) : functions.register(functionId, handler);
  }

  /**
   * A function of one group: applied here when this node owns the group, else forwarded to the
   * owner, so that each group's writes are applied in one place and one order.
   */
  private void serveOwned(String functionId, FunctionHandler untimed) {
    FunctionHandler handler = StoreMeters.timed(StoreMeters.adapter(storage), functionId, untimed);
    if (!clustered()) {
      consumers.add(consumer(functionId, false, handler));
      return;
    }
    ownedHandlers.put(functionId, handler);
    consumers.add(consumer(functionId, true, input -> route(functionId, handler, input,
        nextCallId(), System.currentTimeMillis() + limits.getCallTimeoutMs(), 0)));
  }

  /**
   * A call id unique in the cluster: this verticle's random prefix and a counter (a
   * {@code UUID.randomUUID()} per call read the SecureRandom on the event loop, under its lock).
   */
  private String nextCallId() {
    return callIdPrefix + Long.toString(++callCount, 36);
  }

  private Future<FunctionResult> route(String functionId, FunctionHandler handler, Object input, String call,
                                       long deadline, int attempt) {
    if (!(input instanceof JsonObject in) || !(in.getValue("stream_name") instanceof String stream)
        || !(in.getValue("group_id") instanceof String group)) {
      return handler.handle(input); // malformed: fails here with the usual deserialization error
    }
    String owner = ownership.owner(stream, group);
    if (owner.equals(ownership.localNode())) {
      return handleCall(handler, input, attempt == 0 ? null : call);
    }
    // An owner Hazelcast has already removed can never answer (the partition table may name it a
    // moment longer than the member list does): wait for the new owner instead of sending.
    // Each attempt waits only for what is left of the call's time: a retry never outlives the caller.
    long left = deadline - System.currentTimeMillis();
    if (left <= 0) {
      return Future.failedFuture(new FunctionException(ErrorCode.TIMEOUT, "Invocation of " + functionId
          + " timed out: the group's owner did not answer in time"));
    }
    Future<FunctionResult> answer = ownership.present(owner) ? forward(owner, functionId, input, call, left)
        : Future.failedFuture(new OwnerLeft());
    return answer.recover(err -> {
      // The owner left before the call reached it (nothing was applied), or died with it on its
      // way: ask again once the partition has moved, until the call's own timeout (a dead member
      // is noticed only after Hazelcast's failure detection). Any other failure may have been
      // applied: not retried.
      long pause = Math.min(500, 50L << Math.min(attempt, 4));
      boolean ownerGone = err instanceof OwnerLeft
          || err instanceof FunctionException fe && ErrorCode.FUNCTION_NOT_FOUND.code().equals(fe.code());
      if (ownerGone && System.currentTimeMillis() + pause < deadline) {
        return Future.<Void>future(p -> vertx.setTimer(pause, t -> p.complete()))
            .compose(v -> route(functionId, handler, input, call, deadline, attempt + 1));
      }
      return Future.failedFuture(err instanceof OwnerLeft ? new FunctionException(ErrorCode.TIMEOUT,
          "Invocation of " + functionId + " timed out: the group's owner left and no new owner answered") : err);
    });
  }

  /**
   * Runs a call of a group this node owns, naming it ({@code call}, null for a call made here
   * first) for the duration of the handler's synchronous part, where writes read it into their
   * drafts: a storage that remembers the calls it applied then applies one sent again after a
   * failover only once ({@link EventDraft#callId()}).
   */
  private Future<FunctionResult> handleCall(FunctionHandler handler, Object input, String call) {
    callId = call;
    try {
      return handler.handle(input);
    } finally {
      callId = null;
    }
  }

  /**
   * Sends a call to the group's owner on another node. The event bus never answers a call whose
   * target died with it on its way (it waits for the call's timeout), so the call is failed over
   * ({@link OwnerLeft}) as soon as Hazelcast has removed the owner ({@link #ownersLeft}). A call the
   * owner applied in the instant between its write and its reply is not applied again: it carries
   * its id ({@code call}) to the new owner, whose storage answers a call it already applied with
   * what it did then. (A member removed because it was cut off, not dead, cannot have applied it
   * either when split-brain protection is on: it refuses writes without a quorum.)
   */
  private Future<FunctionResult> forward(String owner, String functionId, Object input, String call, long timeoutMs) {
    Promise<FunctionResult> answer = Promise.promise();
    Set<Promise<FunctionResult>> pending = forwarded.computeIfAbsent(owner, k -> new HashSet<>());
    pending.add(answer);
    functions.callAt(StoreAddresses.node(owner), functionId, input, call, timeoutMs)
        .onComplete(ar -> {
          if (ar.succeeded()) {
            answer.tryComplete(ar.result());
          } else {
            answer.tryFail(ar.cause());
          }
        });
    return answer.future().onComplete(ar -> {
      pending.remove(answer);
      if (pending.isEmpty()) {
        forwarded.remove(owner, pending);
      }
    });
  }

  /** Fails over every forwarded call whose owner is no longer a member (told on each membership change). */
  private void ownersLeft() {
    for (Map.Entry<String, Set<Promise<FunctionResult>>> e : new ArrayList<>(forwarded.entrySet())) {
      if (!ownership.present(e.getKey())) {
        new ArrayList<>(e.getValue()).forEach(p -> p.tryFail(new OwnerLeft()));
      }
    }
  }

  /** The owner a call was sent to has left the cluster: nothing will answer it there. */
  private static final class OwnerLeft extends RuntimeException {
    OwnerLeft() {
      super("the group's owner left the cluster", null, false, false);
    }
  }

  // ---- functions -------------------------------------------------------------------------

  private Future<FunctionResult> set(Object input) {
    StreamInput in = StreamInput.of("stream::set", input, limits.getMaxNameBytes());
    String stream = in.name("stream_name");
    String group = in.name("group_id");
    String item = in.name("item_id");
    Object data = in.anyValue("data");
    Buffer encoded = encodeItem(data);
    GroupOwner owner = owner(stream, group);
    EventDraft draft = EventDraft.upsert(stream, group, item, System.currentTimeMillis(), encoded).withCallId(callId);
    Supplier<Future<FunctionResult>> stored = () -> storage.set(stream, group, item, data, draft)
        .recover(storageError(ErrorCode.STREAM_SET_ERROR, "Failed to set value"))
        .map(written -> FunctionResult.of(new JsonObject().put("old_value", orNull(emit(written)))
            .put("new_value", data)));
    if (custom.has(Op.SET, stream)) {
      JsonObject forward = itemInput(stream, group, item).put("data", data);
      return owner.run(() -> delegatedWrite(owner, Op.SET, item, forward, stored));
    }
    return owner.run(stored);
  }

  private Future<FunctionResult> get(Object input) {
    StreamInput in = StreamInput.of("stream::get", input, limits.getMaxNameBytes());
    String stream = in.name("stream_name");
    String group = in.name("group_id");
    String item = in.name("item_id");
    Supplier<Future<FunctionResult>> stored = () -> storage.get(stream, group, item)
        .recover(storageError(ErrorCode.STREAM_GET_ERROR, "Failed to get value"))
        .map(value -> value == StreamStorage.ABSENT ? FunctionResult.NONE : FunctionResult.of(value));
    if (custom.has(Op.GET, stream)) {
      return delegatedRead(Op.GET, itemInput(stream, group, item), () -> owner(stream, group).run(stored));
    }
    return owner(stream, group).run(stored);
  }

  private Future<FunctionResult> delete(Object input) {
    StreamInput in = StreamInput.of("stream::delete", input, limits.getMaxNameBytes());
    String stream = in.name("stream_name");
    String group = in.name("group_id");
    String item = in.name("item_id");
    GroupOwner owner = owner(stream, group);
    EventDraft draft = EventDraft.deletion(stream, group, item, System.currentTimeMillis()).withCallId(callId);
    Supplier<Future<FunctionResult>> stored = () -> storage.delete(stream, group, item, draft)
        .recover(storageError(ErrorCode.STREAM_DELETE_ERROR, "Failed to delete value"))
        .map(written -> FunctionResult.of(new JsonObject().put("old_value", orNull(emit(written)))));
    if (custom.has(Op.DELETE, stream)) {
      JsonObject forward = itemInput(stream, group, item);
      return owner.run(() -> delegatedWrite(owner, Op.DELETE, item, forward, stored));
    }
    return owner.run(stored);
  }

  private Future<FunctionResult> update(Object input) {
    StreamInput in = StreamInput.of("stream::update", input, limits.getMaxNameBytes());
    String stream = in.name("stream_name");
    String group = in.name("group_id");
    String item = in.name("item_id");
    UpdateOps ops = UpdateOps.parse(in.anyValue("ops"));
    GroupOwner owner = owner(stream, group);
    String call = callId;
    Supplier<Future<FunctionResult>> stored;
    if (cas != null) {
      stored = () -> compareAndSet(stream, group, item, ops, call, 1);
    } else {
      stored = () -> storage.get(stream, group, item)
          .recover(storageError(ErrorCode.STREAM_UPDATE_ERROR, "Failed to update value"))
          .compose(old -> {
            UpdateOps.Outcome outcome = ops.apply(old);
            EventDraft draft = EventDraft.upsert(stream, group, item, System.currentTimeMillis(),
                encodeItem(outcome.newValue())).withCallId(call);
            return storage.set(stream, group, item, outcome.newValue(), draft)
                .recover(storageError(ErrorCode.STREAM_UPDATE_ERROR, "Failed to update value"))
                .map(written -> {
                  emit(written);
                  // Sent again after a failover and applied before: what was applied then.
                  return written.replayed()
                      ? updateResult(written.old(), new UpdateOps.Outcome(written.value(), new JsonArray()))
                      : updateResult(old, outcome);
                });
          });
    }
    if (custom.has(Op.UPDATE, stream)) {
      JsonObject forward = itemInput(stream, group, item).put("ops", ops.toJson());
      return owner.run(() -> delegatedWrite(owner, Op.UPDATE, item, forward, stored));
    }
    return owner.run(stored);
  }

  /**
   * {@code stream::update} on a storage other nodes write too: read, apply the ops here, and
   * write only if the item is still as read; else read again, up to the storage's bound.
   */
  private Future<FunctionResult> compareAndSet(String stream, String group, String item, UpdateOps ops, String call,
                                              int attempt) {
    return cas.read(stream, group, item)
        .compose(read -> {
          UpdateOps.Outcome outcome = ops.apply(read.value());
          EventDraft draft = EventDraft.upsert(stream, group, item, System.currentTimeMillis(),
              encodeItem(outcome.newValue())).withCallId(call);
          return cas.replace(stream, group, item, read, outcome.newValue(), draft).compose(written -> {
            if (written != null) {
              emit(written);
              // Sent again after a failover and applied before: what was applied then.
              return Future.succeededFuture(written.replayed()
                  ? updateResult(written.old(), new UpdateOps.Outcome(written.value(), new JsonArray()))
                  : updateResult(written.old(), outcome));
            }
            if (attempt >= cas.maxUpdateAttempts()) {
              return Future.failedFuture(new FunctionException(ErrorCode.STREAM_UPDATE_ERROR, "Failed to update value: "
                  + "the item kept changing under " + attempt + " attempts (concurrent writers on other nodes)"));
            }
            // Back off before reading again: a node with a backlog of updates on this item re-reads
            // right after each of its own writes and would otherwise win every race. A jittered,
            // growing pause (capped at 50 ms) lets that backlog drain, so neither node starves.
            long pause = Math.max(1, (long) (Math.min(50, 1L << Math.min(attempt, 6)) * (0.5 + Math.random())));
            return Future.<Void>future(p -> vertx.setTimer(pause, t -> p.complete()))
                .compose(v -> compareAndSet(stream, group, item, ops, call, attempt + 1));
          });
        })
        .recover(storageError(ErrorCode.STREAM_UPDATE_ERROR, "Failed to update value"));
  }

  private static FunctionResult updateResult(Object old, UpdateOps.Outcome outcome) {
    JsonObject result = new JsonObject()
        .put("old_value", orNull(old))
        .put("new_value", outcome.newValue());
    if (!outcome.errors().isEmpty()) {
      result.put("errors", outcome.errors());
    }
    return FunctionResult.of(result);
  }

  private Future<FunctionResult> list(Object input) {
    StreamInput in = StreamInput.of("stream::list", input, limits.getMaxNameBytes());
    String stream = in.name("stream_name");
    String group = in.name("group_id");
    Supplier<Future<FunctionResult>> stored = () -> storage.list(stream, group)
        .recover(storageError(ErrorCode.STREAM_GET_GROUP_ERROR, "Failed to list group"))
        .map(values -> FunctionResult.of(new JsonArray(values)));
    if (custom.has(Op.LIST, stream)) {
      return delegatedRead(Op.LIST, groupInput(stream, group), () -> owner(stream, group).run(stored));
    }
    return owner(stream, group).run(stored);
  }

  private Future<FunctionResult> listGroups(Object input) {
    StreamInput in = StreamInput.of("stream::list_groups", input, limits.getMaxNameBytes());
    String stream = in.name("stream_name");
    Supplier<Future<FunctionResult>> stored = () -> storage.listGroups(stream)
        .recover(storageError(ErrorCode.STREAM_LIST_GROUPS_ERROR, "Failed to list groups"))
        .map(groups -> FunctionResult.of(new JsonArray(new ArrayList<>(groups))));
    if (custom.has(Op.LIST_GROUPS, stream)) {
      return delegatedRead(Op.LIST_GROUPS, new JsonObject().put("stream_name", stream), stored);
    }
    return stored.get();
  }

  private Future<FunctionResult> listAll(Object input) {
    StreamInput.of("stream::list_all", input, limits.getMaxNameBytes());
    return storage.listAll()
        .recover(storageError(ErrorCode.STREAM_LIST_ALL_ERROR, "Failed to list streams"))
        .map(all -> {
          JsonArray streams = new JsonArray();
          all.forEach((stream, groups) ->
              streams.add(new JsonObject().put("id", stream).put("groups", new JsonArray(new ArrayList<>(groups)))));
          return FunctionResult.of(new JsonObject().put("stream", streams).put("count", streams.size()));
        });
  }

  private Future<FunctionResult> send(Object input) {
    StreamInput in = StreamInput.of("stream::send", input, limits.getMaxNameBytes());
    String stream = in.name("stream_name");
    String group = in.name("group_id");
    String type = in.string("type");
    String id = in.optionalName("id");
    Buffer encoded = encodeItem(in.anyValue("data"));
    GroupOwner owner = owner(stream, group);
    EventDraft draft = EventDraft.custom(stream, group, id, System.currentTimeMillis(), type, encoded)
        .withCallId(callId);
    return owner.run(() -> storage.publish(draft)
        .recover(storageError(ErrorCode.STREAM_SEND_ERROR, "Failed to send event"))
        .map(event -> emit(new StreamStorage.Written(null, event)))
        .map(FunctionResult.NULL));
  }

  /** A join's initial snapshot: the data and the group position it is at, read in one step. */
  private Future<FunctionResult> snapshot(Object input) {
    StreamInput in = StreamInput.of(StoreAddresses.SNAPSHOT, input, limits.getMaxNameBytes());
    String stream = in.name("stream_name");
    String group = in.name("group_id");
    String id = in.optionalName("id");
    Supplier<Future<FunctionResult>> stored = () -> storage.snapshot(stream, group, id)
        .map(snap -> snapshotResult(snap.position(), snap.data()));
    Op op = id == null ? Op.LIST : Op.GET;
    if (custom.has(op, stream)) {
      // iii syncs a join from the custom get/list. Taken in the group's order with the position
      // read first, so every delegated write up to it is in the data and the later ones are
      // delivered as events. A failed custom read fails the snapshot: the client gets no sync.
      JsonObject forward = id == null ? groupInput(stream, group) : itemInput(stream, group, id);
      GroupOwner owner = owner(stream, group);
      return owner.run(() -> storage.position(stream, group).compose(position -> customCalls.read(op, stream, forward)
          .compose(r -> r == null ? stored.get()
              : Future.succeededFuture(snapshotResult(position, r.present() ? r.value() : null)))));
    }
    return stored.get();
  }

  /** The snapshot as the gateway writes it: the data encoded once, here, and passed on as bytes. */
  private static FunctionResult snapshotResult(GroupPosition position, Object data) {
    return FunctionResult.of(EncodedSnapshot.of(position, data));
  }

  /** The group's position now. */
  private Future<FunctionResult> position(Object input) {
    StreamInput in = StreamInput.of(StoreAddresses.POSITION, input, limits.getMaxNameBytes());
    return storage.position(in.name("stream_name"), in.name("group_id"))
        .map(p -> FunctionResult.of(p.toJson()));
  }

  /**
   * The events of a group (or of one item) after a client's position, for a resuming join: a
   * {@link Recovery} (events shared, not copied), {@link Recovery#NOT_RECOVERED} when the history
   * no longer holds them all or the position is malformed.
   */
  private Future<FunctionResult> recover(Object input) {
    StreamInput in = StreamInput.of(StoreAddresses.RECOVER, input, limits.getMaxNameBytes());
    String stream = in.name("stream_name");
    String group = in.name("group_id");
    String id = in.optionalName("id");
    GroupPosition since = GroupPosition.parse(((JsonObject) input).getValue("since"));
    if (since == null) {
      return Future.succeededFuture(FunctionResult.of(Recovery.NOT_RECOVERED));
    }
    return storage.since(stream, group, since).map(events -> {
      if (events == null) {
        return FunctionResult.of(Recovery.NOT_RECOVERED);
      }
      GroupPosition last = events.isEmpty() ? since : events.get(events.size() - 1).position();
      List<StreamEvent> out = events;
      if (id != null) {
        out = new ArrayList<>();
        for (StreamEvent e : events) {
          if (id.equals(e.id())) {
            out.add(e);
          }
        }
      }
      return FunctionResult.of(new Recovery(true, last, out));
    });
  }

  // ---- custom implementations ------------------------------------------------------------

  /**
   * A {@code get}, {@code list} or {@code list_groups} answered by the custom implementation, or
   * by {@code stored} if it has just gone. Not queued behind the group's writes (iii orders no
   * reads): a custom write that reads its own stream must not wait for itself.
   */
  private Future<FunctionResult> delegatedRead(Op op, JsonObject forward, Supplier<Future<FunctionResult>> stored) {
    return customCalls.read(op, forward.getString("stream_name"), forward)
        .compose(result -> result != null ? Future.succeededFuture(result) : stored.get());
  }

  /**
   * A {@code set}, {@code delete} or {@code update} made by the custom implementation, or by
   * {@code stored} if it has just gone. Runs inside the group's order (the caller queues it), so
   * its event gets the group's next seq in the order the writes were made, exactly as a stored
   * write's: {@code create} or {@code update} by whether an old value was reported, a
   * {@code delete} only when one was. The answer is iii's output shape, rebuilt from what the
   * implementation reported.
   */
  private Future<FunctionResult> delegatedWrite(GroupOwner owner, Op op, String item, JsonObject forward,
                                                Supplier<Future<FunctionResult>> stored) {
    return customCalls.write(op, owner.key().stream(), forward).compose(change -> {
      if (change == null) {
        return stored.get();
      }
      JsonObject result = new JsonObject().put("old_value", orNull(change.old()));
      Future<Void> emitted;
      if (op == Op.DELETE) {
        emitted = change.old() == StreamStorage.ABSENT ? Future.succeededFuture()
            : emitChange(owner, item, "delete", change.old());
      } else {
        result.put("new_value", change.newValue());
        if (!change.errors().isEmpty()) {
          result.put("errors", change.errors());
        }
        emitted = emitChange(owner, item, change.old() == StreamStorage.ABSENT ? "create" : "update",
            change.newValue());
      }
      return emitted.map(FunctionResult.of(result));
    });
  }

  /**
   * Emits the event of a write a custom implementation made: the group's next seq here, or
   * numbered and published by a {@link PublishingStorage}. As in iii, a failure to publish is
   * logged and does not fail the write, which has been made.
   */
  private Future<Void> emitChange(GroupOwner owner, String item, String type, Object data) {
    String stream = owner.key().stream();
    String group = owner.key().group();
    Buffer encoded = Json.encodeToBuffer(data);
    long now = System.currentTimeMillis();
    return storage.publish(EventDraft.whole(StreamEvent.change(stream, group, item, now, type, encoded)))
        .map(event -> {
          emit(new StreamStorage.Written(null, event));
          return (Void) null;
        })
        .otherwise(err -> {
          LOG.warning("the " + type + " event of " + stream + "/" + group + "/" + item
              + " (made by its custom implementation) could not be published: " + err.getMessage());
          return null;
        });
  }

  private static JsonObject groupInput(String stream, String group) {
    return new JsonObject().put("stream_name", stream).put("group_id", group);
  }

  private static JsonObject itemInput(String stream, String group, String item) {
    return groupInput(stream, group).put("item_id", item);
  }

  // ---- helpers ---------------------------------------------------------------------------

  /** The group's owner on this node; dropped again as soon as it has nothing queued. */
  private GroupOwner owner(String stream, String group) {
    GroupKey key = new GroupKey(stream, group);
    GroupOwner owner = owners.get(key);
    if (owner == null) {
      owner = new GroupOwner(key, this::ownerIdle);
      owners.put(key, owner);
    }
    return owner;
  }

  /**
   * Sends a write's event to the group's subscribers on every node and to trigger dispatch here;
   * a {@link PublishingStorage}'s events reach every node's subscribers by themselves, so only
   * trigger dispatch remains. Returns the previous value.
   */
  private Object emit(StreamStorage.Written written) {
    StreamEvent event = written.event();
    if (event != null) {
      if (publishing == null) {
        eventBus.publish(StoreAddresses.group(event.stream(), event.group()), event, StoreAddresses.EVENT_DELIVERY);
      }
      eventBus.send(StoreAddresses.TRIGGER_EVENTS, event, StoreAddresses.EVENT_DELIVERY);
    }
    return written.old();
  }

  private Buffer encodeItem(Object value) {
    Buffer encoded = Json.encodeToBuffer(value);
    if (encoded.length() > limits.getMaxItemBytes()) {
      throw new FunctionException(ErrorCode.PAYLOAD_TOO_LARGE,
          "item is " + encoded.length() + " bytes, more than " + limits.getMaxItemBytes() + " (limits.max_item_bytes)");
    }
    return encoded;
  }

  private static Object orNull(Object value) {
    return value == StreamStorage.ABSENT ? null : value;
  }

  private static <T> Function<Throwable, Future<T>> storageError(ErrorCode code, String what) {
    return cause -> {
      if (cause instanceof FunctionException) {
        return Future.failedFuture(cause);
      }
      if (cause instanceof StorageUnavailableException) {
        // The storage logs the outage once; every call failing during it need not.
        return Future.failedFuture(new FunctionException(code, what + ": " + cause.getMessage()));
      }
      LOG.warning(what + ": " + cause);
      return Future.failedFuture(new FunctionException(code, what + ": " + cause.getMessage()));
    };
  }
}
