package io.streamnode.presence;

/** Event-bus addresses of presence. */
public final class PresenceAddresses {

  /**
   * Local send from the gateway: {@code {"op":"join"|"leave","key","stream_name","group_id","entry"}}
   * ({@code entry} on joins: {@code {subscription_id, context, joined_at}}).
   */
  public static final String CHANGES = "streamnode.presence.changes";
  /**
   * Cluster-wide publish from each node's {@link PresenceVerticle}: one coalesced notice
   * {@code {stream_name, group_id, count, joined:[..], left:[..], truncated}} per group per interval.
   */
  public static final String NOTICES = "streamnode.presence.notices";
  /** The function that answers who is subscribed to a group. */
  public static final String FUNCTION = "streamnode::presence";

  private PresenceAddresses() {
  }
}
