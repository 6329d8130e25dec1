package io.streamnode.socket;

import io.streamnode.metrics.NodeMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.VoidChannelPromise;
import io.streamnode.store.StoreAddresses;
import io.streamnode.store.event.EncodedSnapshot;
import io.streamnode.store.event.GroupPosition;
import io.streamnode.store.event.Recovery;
import io.streamnode.store.event.StreamEvent;
import io.streamnode.trigger.TriggerAddresses;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.internal.http.WebSocketInternal;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One stream-socket connection: its auth context and its subscriptions (by client-chosen
 * {@code subscriptionId}). It speaks iii's stream protocol: {@code join}/{@code leave} in,
 * the stream wrapper out. Malformed frames are logged and ignored, as iii does; the connection
 * stays open. A consumer too slow to keep its outbound queue under
 * {@code limits.outbound_queue_bytes} is closed (1008, "slow consumer") so it never holds back others.
 */
final class StreamSocket {

  private static final Logger LOG = Logger.getLogger(StreamSocket.class.getName());
  /** Close code for a consumer that fell too far behind (policy violation). */
  static final short CLOSE_SLOW_CONSUMER = 1008;
  /** Close code for a node that is shutting down (RFC 6455 "going away"). */
  static final short CLOSE_GOING_AWAY = 1001;
  /** Close code for a message larger than {@code limits.max_frame_bytes} (RFC 6455 "message too big"). */
  static final short CLOSE_TOO_BIG = 1009;

  private final StreamSocketVerticle gateway;
  private final ServerWebSocket ws;
  private final Object context;
  private final Map<String, Subscription> subscriptions = new HashMap<>(4);
  /** The connection's Netty handler: frames are written here, below Vert.x's per-write flush. */
  private final ChannelHandlerContext chctx;
  /** Completes writes without a per-write promise; failures are not reported (the close handler is). */
  private final ChannelPromise quietPromise;
  private boolean unflushed;
  private boolean closed;
  /** When the client last sent a frame (a pong included), for stream_socket.idle_timeout_ms. */
  private long lastSeen = System.currentTimeMillis();
  /**
   * Bytes of what the client asked for (its syncs) written and not yet sent: they do not count
   * towards limits.outbound_queue_bytes, only a backlog beyond them does.
   */
  private long requestedPending;

  StreamSocket(StreamSocketVerticle gateway, ServerWebSocket ws, Object context) {
    this.gateway = gateway;
    this.ws = ws;
    this.context = context;
    this.chctx = ((WebSocketInternal) ws).channelHandlerContext();
    this.quietPromise = new VoidChannelPromise(chctx.channel(), false);
    // Sets the channel's high water mark, which write() checks through Channel.isWritable().
    ws.setWriteQueueMaxSize(gateway.limits().getOutboundQueueBytes());
    int limit = gateway.limits().getMaxFrameBytes();
    ws.pongHandler(pong -> lastSeen = System.currentTimeMillis());
    ws.textMessageHandler(text -> {
      lastSeen = System.currentTimeMillis();
      if (text.length() > limit / 3 && utf8Length(text) > limit) {
        tooBig();
      } else {
        onText(text);
      }
    });
    ws.binaryMessageHandler(buf -> {
      lastSeen = System.currentTimeMillis();
      if (buf.length() > limit) {
        tooBig();
      } else {
        onText(buf.toString());
      }
    });
    ws.exceptionHandler(this::onException);
    ws.closeHandler(v -> onClose());
  }

  /** What the auth function answered for this connection ({@code null} without one). */
  Object context() {
    return context;
  }

  private void onException(Throwable t) {
    // Vert.x drops a fragmented message that outgrows the max message size, reports it here and
    // keeps the connection open; limits.max_frame_bytes promises a 1009 close for it, as for a
    // single oversized frame. Vert.x's aggregator signals it with this IllegalStateException only.
    if (t instanceof IllegalStateException && String.valueOf(t.getMessage()).contains("max message size")) {
      tooBig();
      return;
    }
    LOG.fine(() -> "stream socket " + ws.remoteAddress() + ": " + t);
  }

  /** The client's IP address, as counted by limits.max_connections_per_ip. */
  String remoteIp() {
    return ws.remoteAddress().hostAddress();
  }

  /** Closes the socket if the client has been silent too long, else pings it. */
  void heartbeat(long now, long idleTimeoutMs, boolean ping) {
    if (closed) {
      return;
    }
    if (idleTimeoutMs > 0 && now - lastSeen > idleTimeoutMs) {
      closed = true;
      LOG.info("stream socket " + ws.remoteAddress() + ": closing, no frame for " + (now - lastSeen)
          + " ms (stream_socket.idle_timeout_ms)");
      // A half-open client would never answer a close handshake: send the close frame and drop
      // the TCP connection at once (the close handler then releases its subscriptions).
      ws.close(CLOSE_GOING_AWAY, "idle timeout");
      chctx.pipeline().firstContext().close();
      return;
    }
    if (ping) {
      ws.writePing(Buffer.buffer());
    }
  }

  /** Closes this socket with 1001 (going away) because the node is stopping. */
  void goAway() {
    ws.close(CLOSE_GOING_AWAY, "server shutting down");
  }

  /** Closes this socket with 1009: a client message was larger than {@code limits.max_frame_bytes}. */
  private void tooBig() {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("stream socket " + ws.remoteAddress() + ": closing, a message is larger than "
        + gateway.limits().getMaxFrameBytes() + " bytes (limits.max_frame_bytes)");
    ws.close(CLOSE_TOO_BIG, "message too big");
  }

  private static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        bytes++;
      } else if (c < 0x800) {
        bytes += 2;
      } else if (Character.isHighSurrogate(c)) {
        bytes += 4;
        i++;
      } else {
        bytes += 3;
      }
    }
    return bytes;
  }

  /** Sends one wrapper (UTF-8 JSON) to this socket alone: a sync or an unauthorized answer. */
  void send(Buffer wrapper) {
    if (closed) {
      return;
    }
    sendRequested(TextFrame.encode(wrapper, chctx.alloc()));
  }

  /** Sends a complete frame this socket asked for (owned by this call): not counted against it while it drains. */
  private void sendRequested(ByteBuf frame) {
    int bytes = frame.readableBytes();
    ChannelPromise sent = chctx.newPromise();
    sent.addListener(done -> requestedPending -= bytes);
    requestedPending += bytes;
    if (!write(frame, sent)) {
      requestedPending -= bytes;
      frame.release();
    }
  }

  /**
   * Sends a frame that other sockets share (a group's event, encoded once by {@link TextFrame}):
   * this socket writes its own view of the same bytes.
   */
  void sendShared(ByteBuf frame) {
    if (!closed) {
      ByteBuf view = frame.retainedDuplicate();
      if (!write(view, quietPromise)) {
        view.release();
      } else {
        NodeMetrics.frameDelivered(frame.readableBytes());
      }
    }
  }

  /**
   * Queues {@code frame} on the channel below Vert.x's outbound queue, without a flush: the
   * gateway's {@link DeferredFlush} flushes once for everything written in this turn. Returns
   * false, without taking ownership of the frame, if the socket is closed or too slow.
   */
  private boolean write(ByteBuf frame, ChannelPromise promise) {
    if (!chctx.executor().inEventLoop()) {
      // Sockets are served on the event loop of the gateway instance that feeds them; should a
      // frame ever come from elsewhere, hand it over rather than touch the channel from here.
      chctx.executor().execute(() -> {
        if (!write(frame, promise)) {
          frame.release();
        }
      });
      return true;
    }
    if (closed) {
      return false;
    }
    Channel channel = chctx.channel();
    if (!channel.isActive()) {
      return false; // closed by the client; its close handler has not run yet: not a slow consumer
    }
    if (!channel.isWritable()) {
      // Unflushed frames count towards the limit too: give the kernel what it takes first.
      flush();
      if (!channel.isWritable() && backlog(channel) > gateway.limits().getOutboundQueueBytes()) {
        closed = true;
        LOG.warning("closing slow consumer " + ws.remoteAddress() + ": more than "
            + gateway.limits().getOutboundQueueBytes() + " bytes queued (limits.outbound_queue_bytes)");
        ws.close(CLOSE_SLOW_CONSUMER, "slow consumer");
        NodeMetrics.slowStreamConsumerClosed();
        return false;
      }
    }
    chctx.write(frame, promise);
    if (!unflushed) {
      unflushed = true;
      gateway.deferredFlush().add(this);
    }
    return true;
  }

  /** Bytes queued for this client beyond what it asked for (its syncs). */
  private long backlog(Channel channel) {
    io.netty.channel.ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
    long pending = buffer == null ? 0 : buffer.totalPendingWriteBytes();
    return pending - Math.max(0, requestedPending);
  }

  /** Flushes the frames written since the last flush (called by {@link DeferredFlush}). */
  void flush() {
    if (unflushed) {
      unflushed = false;
      chctx.flush();
    }
  }

  private void onText(String text) {
    if (text.isBlank()) {
      return;
    }
    JsonObject msg;
    try {
      msg = new JsonObject(text);
    } catch (DecodeException | ClassCastException e) {
      gateway.refusals().note(Level.INFO, "stream socket " + ws.remoteAddress() + ": ignoring a frame that is not a JSON object");
      return;
    }
    Object type = msg.getValue("type");
    Object data = msg.getValue("data");
    if (!(data instanceof JsonObject d)) {
      gateway.refusals().note(Level.INFO, "stream socket " + ws.remoteAddress() + ": ignoring a frame without a data object");
      return;
    }
    if ("join".equals(type)) {
      // iii handles a connection's frames one at a time: hold the next frames (a leave above all)
      // until this join has its answer, and let TCP push back on a client that floods joins.
      ws.pause();
      join(d).onComplete(done -> ws.resume());
    } else if ("leave".equals(type)) {
      leave(d);
    } else {
      gateway.refusals().note(Level.INFO, "stream socket " + ws.remoteAddress() + ": ignoring a frame of unknown type " + type);
    }
  }

  /**
   * Joins a subscription: join triggers, then record it, then the initial sync (or, for a join
   * with {@code since}, the events missed since then). Completes when the join has been answered
   * (sync or unauthorized sent, or the join dropped).
   */
  Future<Void> join(JsonObject data) {
    String subId = field(data, "subscriptionId");
    String stream = field(data, "streamName");
    String group = field(data, "groupId");
    Object rawItem = data.getValue("id");
    if (subId == null || stream == null || group == null || (rawItem != null && !(rawItem instanceof String))) {
      gateway.refusals().note(Level.INFO, "stream socket " + ws.remoteAddress() + ": ignoring a join without subscriptionId, streamName and groupId strings");
      return Future.succeededFuture();
    }
    String item = (String) rawItem;
    int maxName = gateway.limits().getMaxNameBytes();
    if (tooLong(stream, maxName) || tooLong(group, maxName) || (item != null && tooLong(item, maxName))) {
      refuse(stream, group, item, "a name is longer than limits.max_name_bytes");
      return Future.succeededFuture();
    }
    if (!subscriptions.containsKey(subId) && subscriptions.size() >= gateway.limits().getMaxSubscriptionsPerConnection()) {
      refuse(stream, group, item, "the connection holds limits.max_subscriptions_per_connection subscriptions");
      return Future.succeededFuture();
    }
    // streamnode's extension: a client that sends `since` (or `positions: true`) gets positions on
    // its frames; a malformed `since` only means a full sync. Other clients get iii's frames exactly.
    boolean positions = data.containsKey("since") || Boolean.TRUE.equals(data.getValue("positions"));
    GroupPosition since = GroupPosition.parse(data.getValue("since"));
    Subscription sub = new Subscription(this, subId, stream, group, item, positions);
    sub.presence = Boolean.TRUE.equals(data.getValue("presence")); // streamnode's extension: presence notices
    return gateway.eventBus().<JsonObject>request(TriggerAddresses.JOIN, sub.triggerPayload(context),
        gateway.joinDelivery()).transform(ar -> {
      if (closed) {
        return Future.succeededFuture();
      }
      if (ar.succeeded() && Boolean.TRUE.equals(ar.result().body().getValue("unauthorized"))) {
        sendNow(stream, group, item, new JsonObject().put("type", "unauthorized"));
        return Future.succeededFuture();
      }
      boolean handlerFailed = ar.failed() || Boolean.TRUE.equals(ar.result().body().getValue("failed"));
      if (handlerFailed && gateway.options().isJoinFailClosed()) {
        gateway.refusals().refused("stream socket", ws.remoteAddress(), "join of " + stream + "/" + group
            + " refused: a stream:join handler failed or timed out (stream_socket.join_fail_closed)");
        sendNow(stream, group, item, new JsonObject().put("type", "unauthorized"));
        return Future.succeededFuture();
      }
      if (ar.failed()) {
        gateway.refusals().note(Level.WARNING, "join triggers could not run (join allowed): " + ar.cause().getMessage());
      }
      Subscription previous = subscriptions.put(subId, sub);
      if (previous != null) {
        gateway.unsubscribe(previous);
      }
      return gateway.subscribe(sub)
          .compose(v -> since != null ? recover(sub, since, true) : sync(sub))
          .transform(done -> Future.<Void>succeededFuture());
    });
  }

  private boolean current(Subscription sub) {
    return !closed && subscriptions.get(sub.id) == sub;
  }

  /**
   * Sends {@code sub} a full sync of the group (or item) and makes it live from the sync's
   * position. If no sync can be read, none is sent (as iii) and the subscription goes live anyway.
   */
  private Future<Void> sync(Subscription sub) {
    JsonObject request = new JsonObject().put("stream_name", sub.stream).put("group_id", sub.group).put("id", sub.item);
    return gateway.eventBus().<EncodedSnapshot>request(StoreAddresses.SNAPSHOT, request).transform(snap -> {
      if (!current(sub)) {
        return Future.succeededFuture();
      }
      if (snap.succeeded()) {
        EncodedSnapshot snapshot = snap.result().body();
        if (!closed) {
          sendRequested(SyncFrame.build(chctx.alloc(), sub.stream, sub.group, sub.item, System.currentTimeMillis(),
              snapshot, sub.positions));
        }
        activate(sub, snapshot.position());
        return Future.succeededFuture();
      }
      LOG.warning("initial sync for " + sub.stream + "/" + sub.group + " failed: " + snap.cause().getMessage());
      // No sync, but the subscription stands: from the group's position if it can be read.
      return gateway.eventBus().<JsonObject>request(StoreAddresses.POSITION, request).transform(pos -> {
        if (current(sub)) {
          activate(sub, pos.succeeded()
              ? new GroupPosition(pos.result().body().getString("epoch"), pos.result().body().getLong("offset")) : null);
        }
        return Future.succeededFuture();
      });
    });
  }

  /**
   * Brings {@code sub} from {@code since} to now with the events in between, from the group's
   * history, or with a full sync when the history no longer holds them all. {@code announce}: a
   * client's resume, told with a {@code sync} event {@code recovered: true} (or a full sync with
   * {@code recovered: false}); otherwise a gap repaired without the client noticing.
   */
  private Future<Void> recover(Subscription sub, GroupPosition since, boolean announce) {
    JsonObject request = new JsonObject().put("stream_name", sub.stream).put("group_id", sub.group).put("id", sub.item)
        .put("since", since.toJson());
    return gateway.eventBus().<Recovery>request(StoreAddresses.RECOVER, request).transform(ar -> {
      if (!current(sub)) {
        return Future.succeededFuture();
      }
      Recovery recovery = ar.succeeded() ? ar.result().body() : null;
      if (recovery == null || !recovery.recovered()) {
        gateway.countResync();
        return sync(sub);
      }
      gateway.countRecovery();
      if (announce) {
        sendTo(sub, new JsonObject().put("type", "sync").put("recovered", true), since);
      }
      for (StreamEvent e : recovery.events()) {
        // The events are the store's own: every client resuming at once shares their frames.
        send(sub.positions ? e.positionFrame() : e.frame());
      }
      activate(sub, recovery.last());
      return Future.succeededFuture();
    });
  }

  /** Makes {@code sub} live at {@code position}, with the events held meanwhile, or resyncs it. */
  private void activate(Subscription sub, GroupPosition position) {
    List<StreamEvent> held = sub.activate(position);
    if (held == null) {
      resync(sub, "events held during its sync show a gap or overflowed limits.max_held_events");
      return;
    }
    for (StreamEvent e : held) {
      send(sub.positions ? e.positionFrame() : e.frame());
    }
  }

  /**
   * Events of {@code sub}'s group were lost on the way (a gap, another epoch): brings it up to
   * date, from the group's history when it still holds the missing events (the client only sees
   * them arrive), else with a fresh sync of the current state. Live events wait meanwhile.
   */
  void resync(Subscription sub, String why) {
    if (!current(sub) || sub.pending()) {
      return;
    }
    LOG.fine(() -> "stream socket " + ws.remoteAddress() + ": resyncing " + sub.stream + "/" + sub.group
        + (sub.item == null ? "" : "/" + sub.item) + ": " + why);
    GroupPosition from = sub.position();
    sub.resyncing();
    if (from == null || from.isNone()) {
      gateway.countResync();
      sync(sub);
    } else {
      recover(sub, from, false);
    }
  }

  private void sendTo(Subscription sub, JsonObject event, GroupPosition position) {
    Buffer frame = StreamEvent.frame(sub.stream, sub.group, sub.item, System.currentTimeMillis(), event);
    send(sub.positions ? StreamEvent.withPosition(frame, position) : frame);
  }

  /** The live subscriptions of this socket, for a position check. */
  java.util.Collection<Subscription> subscriptions() {
    return subscriptions.values();
  }

  private void leave(JsonObject data) {
    String subId = field(data, "subscriptionId");
    // iii parses a leave like a join: all three names are required, or the frame is ignored.
    if (subId == null || field(data, "streamName") == null || field(data, "groupId") == null) {
      gateway.refusals().note(Level.INFO, "stream socket " + ws.remoteAddress() + ": ignoring a leave without subscriptionId, streamName and groupId strings");
      return;
    }
    Subscription sub = subscriptions.remove(subId);
    if (sub != null) {
      gateway.unsubscribe(sub);
      gateway.eventBus().send(TriggerAddresses.LEAVE, sub.triggerPayload(context));
    }
  }

  private void onClose() {
    closed = true;
    gateway.closed(this);
    for (Subscription sub : subscriptions.values()) {
      gateway.unsubscribe(sub);
      gateway.eventBus().send(TriggerAddresses.LEAVE, sub.triggerPayload(context));
    }
    subscriptions.clear();
  }

  private void refuse(String stream, String group, String item, String why) {
    gateway.refusals().note(Level.INFO, "stream socket " + ws.remoteAddress() + ": join refused, " + why);
    sendNow(stream, group, item, new JsonObject().put("type", "unauthorized"));
  }

  private void sendNow(String stream, String group, String item, JsonObject event) {
    send(StreamEvent.frame(stream, group, item, System.currentTimeMillis(), event));
  }

  /** Whether {@code name} is longer than {@code maxBytes} in UTF-8, as the store counts it. */
  private static boolean tooLong(String name, int maxBytes) {
    return name.length() > maxBytes
        || (name.length() * 3 > maxBytes && name.getBytes(StandardCharsets.UTF_8).length > maxBytes);
  }

  private static String field(JsonObject data, String key) {
    return data.getValue(key) instanceof String s ? s : null;
  }
}
