package io.streamnode.store;

import io.streamnode.config.LimitsOptions;
import io.streamnode.function.ConsumerGroup;
import io.streamnode.function.ErrorCode;
import io.streamnode.function.FunctionBus;
import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionHandler;
import io.streamnode.function.FunctionResult;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * The stream store: the only writer of stream data on this node. It serves the eight
 * {@code stream::*} functions on event-bus addresses named by their function ids, applies the
 * writes of each (stream, group) through that group's {@link GroupOwner}, and publishes every
 * change once, pre-encoded, on the group's address (for sockets) and to trigger dispatch.
 *
 * <p>Deploy exactly one instance per node: ownership of groups lives in this instance.
 */
public class StoreVerticle extends VerticleBase {

  private static final Logger LOG = Logger.getLogger(StoreVerticle.class.getName());

  private final StreamStorage storage;
  /** The storage when it publishes events itself (redis): writes then go through it, not {@link #emit}. */
  private final PublishingStorage publishing;
  private final LimitsOptions limits;
  private final GroupOwnership ownership;
  private final Map<String, FunctionHandler> ownedHandlers = new HashMap<>();
  private final Map<GroupKey, GroupOwner> owners = new HashMap<>();
  private final ConsumerGroup consumers = new ConsumerGroup();
  private FunctionBus functions;
  private EventBus eventBus;

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
    this.storage = storage;
    this.publishing = storage instanceof PublishingStorage p ? p : null;
    this.limits = limits;
    this.ownership = ownership;
  }

  private boolean clustered() {
    return ownership != GroupOwnership.SINGLE_NODE;
  }

  @Override
  public Future<?> start() {
    eventBus = vertx.eventBus();
    functions = new FunctionBus(vertx, limits.getCallTimeoutMs());
    return storage.open().compose(v -> {
      serveOwned("stream::set", this::set);
      serveOwned("stream::get", this::get);
      serveOwned("stream::delete", this::delete);
      serveOwned("stream::update", this::update);
      serveOwned("stream::list", this::list);
      serve("stream::list_groups", this::listGroups);
      serve("stream::list_all", this::listAll);
      serveOwned("stream::send", this::send);
      serveOwned(StoreAddresses.SNAPSHOT, this::snapshot);
      if (clustered()) {
        // Calls forwarded by other nodes for the groups this node owns.
        consumers.add(eventBus.consumer(StoreAddresses.node(ownership.localNode()), msg -> {
          FunctionHandler handler = ownedHandlers.get(msg.headers().get(FunctionBus.FUNCTION_HEADER));
          functions.serve(msg, handler != null ? handler
              : input -> Future.failedFuture(new FunctionException(ErrorCode.FUNCTION_NOT_FOUND, "unknown store function")));
        }));
      }
      return consumers.ready();
    });
  }

  @Override
  public Future<?> stop() {
    return consumers.unregisterAll().eventually(storage::close);
  }

  /** A function that needs no owner (listings): served where it is called. */
  private void serve(String functionId, FunctionHandler handler) {
    consumers.add(clustered() ? functions.registerLocal(functionId, handler) : functions.register(functionId, handler));
  }

  /**
   * A function of one group: applied here when this node owns the group, else forwarded to the
   * owner, so that each group's writes are applied in one place and one order.
   */
  private void serveOwned(String functionId, FunctionHandler handler) {
    if (!clustered()) {
      consumers.add(functions.register(functionId, handler));
      return;
    }
    ownedHandlers.put(functionId, handler);
    consumers.add(functions.registerLocal(functionId, input -> route(functionId, handler, input, 0)));
  }

  private Future<FunctionResult> route(String functionId, FunctionHandler handler, Object input, int attempt) {
    if (!(input instanceof JsonObject in) || !(in.getValue("stream_name") instanceof String stream)
        || !(in.getValue("group_id") instanceof String group)) {
      return handler.handle(input); // malformed: fails here with the usual deserialization error
    }
    String owner = ownership.owner(stream, group);
    if (owner.equals(ownership.localNode())) {
      return handler.handle(input);
    }
    return functions.callAt(StoreAddresses.node(owner), functionId, input).recover(err -> {
      // The owner left before the call reached it (nothing was applied): ask again once the
      // partition has moved. Any other failure may have been applied, so it is not retried.
      if (err instanceof FunctionException fe && ErrorCode.FUNCTION_NOT_FOUND.code().equals(fe.code()) && attempt < 5) {
        return Future.<Void>future(p -> vertx.setTimer(200L * (attempt + 1), t -> p.complete()))
            .compose(v -> route(functionId, handler, input, attempt + 1));
      }
      return Future.failedFuture(err);
    });
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
    if (publishing != null) {
      EventDraft draft = EventDraft.upsert(stream, group, item, System.currentTimeMillis(), encoded);
      return owner.run(() -> publishing.set(stream, group, item, data, draft)
          .recover(storageError(ErrorCode.STREAM_SET_ERROR, "Failed to set value"))
          .map(written -> FunctionResult.of(new JsonObject().put("old_value", orNull(triggers(written)))
              .put("new_value", data))));
    }
    return owner.run(() -> storage.set(stream, group, item, data)
        .recover(storageError(ErrorCode.STREAM_SET_ERROR, "Failed to set value"))
        .map(old -> {
          emit(owner, StreamEvent.change(stream, group, item, owner.nextSeq(), System.currentTimeMillis(),
              old == StreamStorage.ABSENT ? "create" : "update", encoded));
          return FunctionResult.of(new JsonObject().put("old_value", orNull(old)).put("new_value", data));
        }));
  }

  private Future<FunctionResult> get(Object input) {
    StreamInput in = StreamInput.of("stream::get", input, limits.getMaxNameBytes());
    String stream = in.name("stream_name");
    String group = in.name("group_id");
    String item = in.name("item_id");
    return owner(stream, group).run(() -> storage.get(stream, group, item)
        .recover(storageError(ErrorCode.STREAM_GET_ERROR, "Failed to get value"))
        .map(value -> value == StreamStorage.ABSENT ? FunctionResult.NONE : FunctionResult.of(value)));
  }

  private Future<FunctionResult> delete(Object input) {
    StreamInput in = StreamInput.of("stream::delete", input, limits.getMaxNameBytes());
    String stream = in.name("stream_name");
    String group = in.name("group_id");
    String item = in.name("item_id");
    GroupOwner owner = owner(stream, group);
    if (publishing != null) {
      EventDraft draft = EventDraft.deletion(stream, group, item, System.currentTimeMillis());
      return owner.run(() -> publishing.delete(stream, group, item, draft)
          .recover(storageError(ErrorCode.STREAM_DELETE_ERROR, "Failed to delete value"))
          .map(written -> FunctionResult.of(new JsonObject().put("old_value", orNull(triggers(written))))));
    }
    return owner.run(() -> storage.delete(stream, group, item)
        .recover(storageError(ErrorCode.STREAM_DELETE_ERROR, "Failed to delete value"))
        .map(old -> {
          if (old != StreamStorage.ABSENT) {
            emit(owner, StreamEvent.change(stream, group, item, owner.nextSeq(), System.currentTimeMillis(),
                "delete", Json.encodeToBuffer(old)));
          }
          return FunctionResult.of(new JsonObject().put("old_value", orNull(old)));
        }));
  }

  private Future<FunctionResult> update(Object input) {
    StreamInput in = StreamInput.of("stream::update", input, limits.getMaxNameBytes());
    String stream = in.name("stream_name");
    String group = in.name("group_id");
    String item = in.name("item_id");
    UpdateOps ops = UpdateOps.parse(in.anyValue("ops"));
    GroupOwner owner = owner(stream, group);
    if (publishing != null) {
      return owner.run(() -> compareAndSet(stream, group, item, ops, 1));
    }
    return owner.run(() -> storage.get(stream, group, item)
        .recover(storageError(ErrorCode.STREAM_UPDATE_ERROR, "Failed to update value"))
        .compose(old -> {
          UpdateOps.Outcome outcome = ops.apply(old);
          Buffer encoded = encodeItem(outcome.newValue());
          return storage.set(stream, group, item, outcome.newValue())
              .recover(storageError(ErrorCode.STREAM_UPDATE_ERROR, "Failed to update value"))
              .map(ignored -> {
                emit(owner, StreamEvent.change(stream, group, item, owner.nextSeq(), System.currentTimeMillis(),
                    old == StreamStorage.ABSENT ? "create" : "update", encoded));
                return updateResult(old, outcome);
              });
        }));
  }

  /**
   * {@code stream::update} on a storage other nodes write too: read, apply the ops here, and
   * write only if the item is still as read; else read again, up to the storage's bound.
   */
  private Future<FunctionResult> compareAndSet(String stream, String group, String item, UpdateOps ops, int attempt) {
    return publishing.read(stream, group, item)
        .compose(read -> {
          UpdateOps.Outcome outcome = ops.apply(read.value());
          EventDraft draft = EventDraft.upsert(stream, group, item, System.currentTimeMillis(),
              encodeItem(outcome.newValue()));
          return publishing.replace(stream, group, item, read, outcome.newValue(), draft).compose(written -> {
            if (written != null) {
              return Future.succeededFuture(updateResult(triggers(written), outcome));
            }
            if (attempt >= publishing.maxUpdateAttempts()) {
              return Future.failedFuture(new FunctionException(ErrorCode.STREAM_UPDATE_ERROR, "Failed to update value: "
                  + "the item kept changing under " + attempt + " attempts (concurrent writers on other nodes)"));
            }
            // Back off before reading again: a node with a backlog of updates on this item re-reads
            // right after each of its own writes and would otherwise win every race. A jittered,
            // growing pause (capped at 50 ms) lets that backlog drain, so neither node starves.
            long pause = Math.max(1, (long) (Math.min(50, 1L << Math.min(attempt, 6)) * (0.5 + Math.random())));
            return Future.<Void>future(p -> vertx.setTimer(pause, t -> p.complete()))
                .compose(v -> compareAndSet(stream, group, item, ops, attempt + 1));
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
    return owner(stream, group).run(() -> storage.list(stream, group)
        .recover(storageError(ErrorCode.STREAM_GET_GROUP_ERROR, "Failed to list group"))
        .map(values -> FunctionResult.of(new JsonArray(values))));
  }

  private Future<FunctionResult> listGroups(Object input) {
    StreamInput in = StreamInput.of("stream::list_groups", input, limits.getMaxNameBytes());
    String stream = in.name("stream_name");
    return storage.listGroups(stream)
        .recover(storageError(ErrorCode.STREAM_LIST_GROUPS_ERROR, "Failed to list groups"))
        .map(groups -> FunctionResult.of(new JsonArray(new ArrayList<>(groups))));
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
    if (publishing != null) {
      EventDraft draft = EventDraft.custom(stream, group, id, System.currentTimeMillis(), type, encoded);
      return owner.run(() -> publishing.publish(draft)
          .recover(storageError(ErrorCode.STREAM_SEND_ERROR, "Failed to send event"))
          .map(event -> triggers(new PublishingStorage.Written(null, event)))
          .map(FunctionResult.NULL));
    }
    return owner.run(() -> {
      emit(owner, StreamEvent.custom(stream, group, id, owner.nextSeq(), System.currentTimeMillis(), type, encoded));
      return Future.succeededFuture(FunctionResult.NULL);
    });
  }

  /** A join's initial snapshot, taken in the group's order so that its seq matches its data. */
  private Future<FunctionResult> snapshot(Object input) {
    StreamInput in = StreamInput.of(StoreAddresses.SNAPSHOT, input, limits.getMaxNameBytes());
    String stream = in.name("stream_name");
    String group = in.name("group_id");
    String id = in.optionalName("id");
    GroupOwner owner = owner(stream, group);
    if (publishing != null) {
      // Items and seq in one atomic read: other nodes write this group too.
      return publishing.snapshot(stream, group, id)
          .map(s -> FunctionResult.of(new JsonObject().put("seq", s.seq()).put("data", s.data())));
    }
    return owner.run(() -> {
      long seq = owner.seq();
      Future<Object> data = id == null
          ? storage.list(stream, group).map(JsonArray::new)
          : storage.get(stream, group, id).map(StoreVerticle::orNull);
      return data.map(d -> FunctionResult.of(new JsonObject().put("seq", seq).put("data", d)));
    });
  }

  // ---- helpers ---------------------------------------------------------------------------

  private GroupOwner owner(String stream, String group) {
    return owners.computeIfAbsent(new GroupKey(stream, group), GroupOwner::new);
  }

  private void emit(GroupOwner owner, StreamEvent event) {
    eventBus.publish(owner.address(), event, StoreAddresses.EVENT_DELIVERY);
    eventBus.send(StoreAddresses.TRIGGER_EVENTS, event, StoreAddresses.EVENT_DELIVERY);
  }

  /**
   * A {@link PublishingStorage} write's event already reached every node's group address; trigger
   * dispatch stays with the node that made the write. Returns the previous value.
   */
  private Object triggers(PublishingStorage.Written written) {
    if (written.event() != null) {
      eventBus.send(StoreAddresses.TRIGGER_EVENTS, written.event(), StoreAddresses.EVENT_DELIVERY);
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
