package io.streamnode.store.redis;

import io.streamnode.store.event.EventDraft;
import io.streamnode.store.event.GroupPosition;
import io.streamnode.store.event.HistoryOptions;
import io.streamnode.store.PublishingStorage;
import io.streamnode.store.StorageUnavailableException;
import io.streamnode.store.event.StreamEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.net.NetClientOptions;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The {@code redis} adapter, iii's layout: one hash per group, key {@code stream:<stream>:<group>},
 * field = item id, value = the item's JSON text. Besides iii's layout it keeps each group's position
 * ({@code streamnode:pos:<stream>:<group>}) and recent history ({@code streamnode:history:<stream>:<group>},
 * a Redis stream bounded by {@link HistoryOptions}), and publishes every change on one channel
 * ({@link RedisStorageOptions#getChannel()}) from the same Lua script that writes it (see
 * {@link RedisScripts}), so nodes sharing the server deliver each group's events in one order and a
 * client can resume from any node. A Redis that lost or rolled back a group's keys, or that is
 * another server process or role than the one that wrote them, gives the group a new epoch.
 *
 * <p>{@code list} returns HVALS order, which Redis does not define (small hashes happen to keep
 * insertion order). {@code list_groups} and {@code list_all} SCAN for {@code stream:*} hashes, as
 * iii does, so they also see groups written by iii engines; SCAN walks the whole keyspace.
 * Names holding {@code ':'} are ambiguous in this layout (as in iii): {@code list_all} splits a key
 * at its first {@code ':'} after the prefix.
 *
 * <p>Every command fails after {@code command_timeout_ms}; failures to reach Redis surface as
 * {@link StorageUnavailableException} and are logged once per outage.
 */
public final class RedisStorage implements PublishingStorage {

  static final String KEY_PREFIX = "stream:";
  static final String POSITION_PREFIX = "streamnode:pos:";
  static final String HISTORY_PREFIX = "streamnode:history:";
  /** A forwarded call's record (see {@link RedisScripts}), kept {@link RedisScripts#CALL_TTL_MS} ms. */
  static final String CALL_PREFIX = "streamnode:call:";

  private final Vertx vertx;
  private final RedisStorageOptions options;
  private final String safeUrl;
  private final RedisHealth health;
  private final HistoryOptions history;
  /** How long a group without items keeps its position after its last event, in ms. */
  private final long emptiedTtlMs;
  private Redis client;
  private RedisEventRelay relay;

  /** A storage with the default history bounds ({@link HistoryOptions}). */
  public RedisStorage(Vertx vertx, RedisStorageOptions options) {
    this(vertx, options, new HistoryOptions());
  }

  /**
   * A storage that keeps each group's recent events, within {@code history}'s bounds, in a Redis
   * stream beside the group (history off: no stream at all).
   */
  public RedisStorage(Vertx vertx, RedisStorageOptions options, HistoryOptions history) {
    this.vertx = vertx;
    this.options = new RedisStorageOptions(options);
    this.history = new HistoryOptions(history);
    // An emptied group's position must outlive its history, or a resume within the history TTL
    // would meet a new epoch; and it must never be 0 (PEXPIRE 0 deletes the key at once).
    this.emptiedTtlMs = Math.max(1, Math.max(options.getEmptiedGroupTtlMs(), history.enabled() ? history.getTtlMs() : 0));
    this.safeUrl = options.getRedisUrl().replaceFirst("//[^/@]*@", "//***@");
    this.health = new RedisHealth(safeUrl);
  }

  @Override
  public Future<Void> open() {
    RedisOptions redisOptions = new RedisOptions()
        .setConnectionString(options.getRedisUrl())
        .setMaxPoolSize(options.getMaxPoolSize())
        .setMaxPoolWaiting(1024)
        .setNetClientOptions(new NetClientOptions().setConnectTimeout((int) options.getCommandTimeoutMs())
            .setTcpNoDelay(true).setTcpKeepAlive(true));
    client = Redis.createClient(vertx, redisOptions);
    relay = new RedisEventRelay(vertx, options, redisOptions, health);
    return send(Request.cmd(Command.PING))
        .compose(pong -> relay.start())
        .recover(err -> Future.failedFuture(new StorageUnavailableException(
            "cannot reach Redis at " + safeUrl + ": " + describe(err))));
  }

  @Override
  public Future<Void> close() {
    Future<Void> relayClosed = relay == null ? Future.succeededFuture() : relay.close();
    return relayClosed.eventually(() -> client == null ? Future.succeededFuture() : client.close());
  }

  // ---- plain StreamStorage -----------------------------------------------------------------

  @Override
  public Future<Object> get(String stream, String group, String item) {
    return send(Request.cmd(Command.HGET).arg(key(stream, group)).arg(item)).map(RedisStorage::value);
  }

  @Override
  public Future<List<Object>> list(String stream, String group) {
    return send(Request.cmd(Command.HVALS).arg(key(stream, group))).map(values -> {
      List<Object> result = new ArrayList<>(values.size());
      values.forEach(v -> result.add(value(v)));
      return result;
    });
  }

  @Override
  public Future<List<String>> listGroups(String stream) {
    String prefix = KEY_PREFIX + stream + ":";
    TreeSet<String> groups = new TreeSet<>();
    return scan("0", escapeGlob(prefix) + "*", key -> {
      if (key.startsWith(prefix)) {
        groups.add(key.substring(prefix.length()));
      }
    }).map(v -> List.copyOf(groups));
  }

  @Override
  public Future<SortedMap<String, SortedSet<String>>> listAll() {
    SortedMap<String, SortedSet<String>> all = new TreeMap<>();
    return scan("0", KEY_PREFIX + "*", key -> {
      String rest = key.substring(KEY_PREFIX.length());
      int colon = rest.indexOf(':');
      if (colon >= 0) {
        all.computeIfAbsent(rest.substring(0, colon), s -> new TreeSet<>()).add(rest.substring(colon + 1));
      }
    }).map(v -> all);
  }

  // ---- writes and positions ---------------------------------------------------------------

  @Override
  public Future<Written> set(String stream, String group, String item, Object value, EventDraft event) {
    return eval(RedisScripts.SET, keys(stream, group, event), write(event, item, Json.encodeToBuffer(value)))
        .map(r -> {
          if (replayed(r)) {
            return replay(stream, group, item, event, r);
          }
          Response old = r.get(2);
          return new Written(value(old), event.complete(position(r), EventDraft.upsertGap(!isNil(old))));
        });
  }

  @Override
  public Future<Written> delete(String stream, String group, String item, EventDraft event) {
    return eval(RedisScripts.DELETE, keys(stream, group, event), write(event, item))
        .map(r -> {
          if (replayed(r)) {
            return replay(stream, group, item, event, r);
          }
          if (r.get(0).toLong() == 0) {
            return new Written(ABSENT, null);
          }
          Buffer old = r.get(2).toBuffer();
          return new Written(Json.decodeValue(old), event.complete(position(r), old));
        });
  }

  @Override
  public Future<Read> read(String stream, String group, String item) {
    return send(Request.cmd(Command.HGET).arg(key(stream, group)).arg(item))
        .map(r -> isNil(r) ? new Read(ABSENT, null) : new Read(value(r), r.toBuffer()));
  }

  @Override
  public Future<Written> replace(String stream, String group, String item, Read expected, Object value,
                                 EventDraft event) {
    Buffer version = (Buffer) expected.version();
    return eval(RedisScripts.REPLACE, keys(stream, group, event), write(event, item, Json.encodeToBuffer(value),
        version == null ? "0" : "1", version == null ? Buffer.buffer() : version))
        .map(r -> {
          if (replayed(r)) {
            return replay(stream, group, item, event, r);
          }
          if (r.get(0).toLong() == 0) {
            return null;
          }
          return new Written(expected.value(),
              event.complete(position(r), EventDraft.upsertGap(expected.value() != ABSENT)));
        });
  }

  @Override
  public Future<StreamEvent> publish(EventDraft event) {
    return eval(RedisScripts.SEND, keys(event.stream(), event.group(), event), write(event, event.id()))
        .map(r -> replayed(r) ? replay(event.stream(), event.group(), event.id(), event, r).event()
            : event.complete(position(r), Buffer.buffer()));
  }

  private static boolean replayed(Response r) {
    return r.size() == 2 && r.get(0).toLong() == -1;
  }

  /**
   * A call the group's previous owner applied before it died, sent again: what it did then (its
   * record, see {@link RedisScripts}), and the event it published, at the same position.
   */
  private static Written replay(String stream, String group, String item, EventDraft retry, Response r) {
    JsonArray done = new JsonArray(r.get(1).toBuffer());
    GroupPosition position = new GroupPosition(done.getString(1), done.getLong(0));
    Object old = done.getValue(2) instanceof String text ? Json.decodeValue(text) : ABSENT;
    Object value = done.getValue(3) instanceof String text ? Json.decodeValue(text) : null;
    StreamEvent event = new StreamEvent(stream, group, item, position.epoch(), position.offset(), retry.timestamp(),
        Buffer.buffer(done.getString(4)));
    return new Written(old, event, true, value);
  }

  /**
   * The ARGV every write script starts with (see {@link RedisScripts}): where and what to publish,
   * a new epoch in case the group needs one, the history bounds, and the event's item id; then
   * {@code extra}.
   */
  private Object[] write(EventDraft event, String item, Object... extra) {
    Object[] args = new Object[10 + extra.length];
    args[0] = options.getChannel();
    args[1] = event.routeTail();
    args[2] = event.before();
    args[3] = event.after();
    args[4] = GroupPosition.newEpoch();
    args[5] = history.enabled() ? history.getSize() : 0;
    args[6] = history.getTtlMs();
    args[7] = emptiedTtlMs;
    args[8] = item == null ? "" : item;
    args[9] = item == null ? "0" : "1";
    System.arraycopy(extra, 0, args, 10, extra.length);
    return args;
  }

  @Override
  public Future<Snapshot> snapshot(String stream, String group, String item) {
    Future<Response> read = item == null
        ? eval(RedisScripts.SNAPSHOT, keys(stream, group), GroupPosition.newEpoch(), "0")
        : eval(RedisScripts.SNAPSHOT, keys(stream, group), GroupPosition.newEpoch(), "1", item);
    return read.map(r -> {
      GroupPosition position = position(r);
      if (item != null) {
        Object v = value(r.get(2));
        return new Snapshot(position, v == ABSENT ? null : v);
      }
      List<Object> values = new ArrayList<>(r.size() - 2);
      for (int i = 2; i < r.size(); i++) {
        values.add(value(r.get(i)));
      }
      return new Snapshot(position, new io.vertx.core.json.JsonArray(values));
    });
  }

  @Override
  public Future<GroupPosition> position(String stream, String group) {
    return eval(RedisScripts.POSITION, keys(stream, group), GroupPosition.newEpoch()).map(RedisStorage::position);
  }

  @Override
  public Future<List<StreamEvent>> since(String stream, String group, GroupPosition since) {
    // One script reads the position and the history's entries after `since` (at most history.size),
    // so the answer is exact: every event after it, in order, or null.
    return eval(RedisScripts.SINCE, keys(stream, group), GroupPosition.newEpoch(), since.epoch(), since.offset(),
        history.enabled() ? history.getSize() : 0, history.getTtlMs())
        .map(r -> {
          if (r.get(2).toLong() == 0) {
            return null;
          }
          String epoch = r.get(1).toString();
          List<StreamEvent> events = new ArrayList<>((r.size() - 3) / 4);
          for (int i = 3; i + 3 < r.size(); i += 4) {
            Response id = r.get(i + 2);
            events.add(new StreamEvent(stream, group, isNil(id) ? null : id.toString(), epoch, r.get(i).toLong(),
                Long.parseLong(r.get(i + 1).toString()), r.get(i + 3).toBuffer()));
          }
          return events;
        });
  }

  /** The position a script returned as its first two elements: {offset, epoch}. */
  private static GroupPosition position(Response r) {
    return new GroupPosition(r.get(1).toString(), r.get(0).toLong());
  }

  @Override
  public int maxUpdateAttempts() {
    return options.getUpdateAttempts();
  }

  // ---- commands ----------------------------------------------------------------------------

  static String key(String stream, String group) {
    return KEY_PREFIX + stream + ":" + group;
  }

  /** The keys every script gets: the group hash, its position and its history (see {@link RedisScripts}). */
  static List<String> keys(String stream, String group) {
    return List.of(key(stream, group), POSITION_PREFIX + stream + ":" + group, HISTORY_PREFIX + stream + ":" + group);
  }

  /** A write's keys: the group's, then its call's record when it is a forwarded call (see {@link RedisScripts}). */
  static List<String> keys(String stream, String group, EventDraft event) {
    List<String> keys = keys(stream, group);
    if (event.callId() == null) {
      return keys;
    }
    List<String> withCall = new ArrayList<>(keys);
    withCall.add(CALL_PREFIX + event.callId());
    return withCall;
  }

  /** EVALSHA, then EVAL once if the server does not know the script (e.g. after a restart). */
  private Future<Response> eval(RedisScript script, List<String> keys, Object... args) {
    return send(script(Command.EVALSHA, script.sha(), keys, args)).recover(err -> {
      if (err instanceof Response && String.valueOf(err.getMessage()).startsWith("NOSCRIPT")) {
        return send(script(Command.EVAL, script.source(), keys, args));
      }
      return Future.failedFuture(err);
    });
  }

  private static Request script(Command command, String script, List<String> keys, Object... args) {
    Request request = Request.cmd(command).arg(script).arg(keys.size());
    keys.forEach(request::arg);
    for (Object arg : args) {
      if (arg instanceof Buffer b) {
        request.arg(b);
      } else {
        request.arg(arg.toString());
      }
    }
    return request;
  }

  private Future<Void> scan(String cursor, String pattern, Consumer<String> each) {
    return send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(1000)
        .arg("TYPE").arg("hash"))
        .compose(r -> {
          r.get(1).forEach(key -> each.accept(key.toString()));
          String next = r.get(0).toString();
          return "0".equals(next) ? Future.succeededFuture() : scan(next, pattern, each);
        });
  }

  /**
   * Sends one command, bounded by {@code command_timeout_ms}. An error reply from Redis fails
   * with it as is; not reaching Redis fails with {@link StorageUnavailableException}.
   */
  private Future<Response> send(Request request) {
    return client.send(request).timeout(options.getCommandTimeoutMs(), TimeUnit.MILLISECONDS).transform(ar -> {
      if (ar.succeeded()) {
        health.commands(true, null);
        return Future.succeededFuture(ar.result());
      }
      Throwable cause = ar.cause();
      if (cause instanceof Response && !String.valueOf(cause.getMessage()).startsWith("CONNECTION_CLOSED")) {
        // Redis answered with an error: it is reachable. (The client reports a connection that
        // closed under a pending command as a CONNECTION_CLOSED error reply: that is an outage.)
        health.commands(true, null);
        return Future.failedFuture(cause);
      }
      health.commands(false, cause);
      return Future.failedFuture(new StorageUnavailableException("Redis is unreachable at " + safeUrl + " ("
          + describe(cause) + ")"));
    });
  }

  static String describe(Throwable cause) {
    String message = cause.getMessage();
    return cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
  }

  private static boolean isNil(Response r) {
    return r == null || r.toBuffer() == null;
  }

  private static Object value(Response r) {
    return isNil(r) ? ABSENT : Json.decodeValue(r.toBuffer());
  }

  private static String escapeGlob(String text) {
    StringBuilder escaped = new StringBuilder(text.length() + 8);
    for (char c : text.toCharArray()) {
      if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\') {
        escaped.append('\\');
      }
      escaped.append(c);
    }
    return escaped.toString();
  }
}
