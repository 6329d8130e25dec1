package io.streamnode.store;

import io.streamnode.store.event.StreamEventCodec;

import io.vertx.core.eventbus.DeliveryOptions;

/**
 * Event-bus addresses of the store besides the function ids ({@code stream::set}, ...).
 */
public final class StoreAddresses {

  /**
   * Request {@code {stream_name, group_id, id?}}; reply {@code {epoch, offset, data}}: a join's
   * initial snapshot (the group's data and the position it is at).
   */
  public static final String SNAPSHOT = "streamnode.store.snapshot";
  /** Prefix of the store's internal services above: served outside the function namespace. */
  public static final String INTERNAL_PREFIX = "streamnode.store.";

  /**
   * Request {@code {stream_name, group_id, id?, since: {epoch, offset}}}; reply
   * {@code {epoch, offset, events: [...]}} with the group's (or item's) events after {@code since},
   * or {@code {recovered: false}} when the history no longer holds all of them.
   */
  public static final String RECOVER = "streamnode.store.recover";

  /** Request {@code {stream_name, group_id}}; reply {@code {epoch, offset}}: the group's position now. */
  public static final String POSITION = "streamnode.store.position";

  /**
   * Published on this node (body: nothing) when events may have been missed without a later event
   * showing the gap: the redis adapter's event subscriber came back, or cluster membership changed.
   * Gateways then check every subscription against its group's position and resync the stale ones.
   */
  public static final String POSITIONS_SUSPECT = "streamnode.store.positions-suspect";

  /**
   * Request {@code {id, registered}} from the places that register functions on this node: a
   * custom stream implementation ({@code stream::<op>(<stream_name>)}) was registered or
   * unregistered here. See {@link CustomImplementations}.
   */
  public static final String CUSTOM_IMPLEMENTATIONS = "streamnode.store.custom-implementations";

  /** Every {@link StreamEvent} is also sent here, for trigger dispatch on this node. */
  public static final String TRIGGER_EVENTS = "streamnode.triggers.events";

  /** Delivery of a {@link StreamEvent}: by reference on one node, {@link StreamEventCodec} between nodes. */
  public static final DeliveryOptions EVENT_DELIVERY = new DeliveryOptions().setCodecName(StreamEventCodec.NAME);

  /**
   * Delivery of a {@link StreamEvent} to this node's subscribers only: for events every node
   * receives by itself (the redis adapter's relay), which a clustered publish would duplicate.
   */
  public static final DeliveryOptions LOCAL_EVENT_DELIVERY = new DeliveryOptions(EVENT_DELIVERY).setLocalOnly(true);

  private static final String GROUP_PREFIX = "streamnode.group/";
  private static final String NODE_PREFIX = "streamnode.store.node/";

  private StoreAddresses() {
  }

  /** The address where one node's store applies calls forwarded to it as a group's owner. */
  public static String node(String nodeId) {
    return NODE_PREFIX + nodeId;
  }

  /**
   * The address a group's events are published on. The stream name is length-prefixed so that
   * no pair of names can map to the same address, whatever characters they hold.
   */
  public static String group(String stream, String group) {
    return GROUP_PREFIX + stream.length() + "/" + stream + "/" + group;
  }
}
