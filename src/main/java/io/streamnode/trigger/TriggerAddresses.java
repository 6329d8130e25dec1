package io.streamnode.trigger;

/** Event-bus addresses served by {@link TriggerDispatchVerticle}. */
public final class TriggerAddresses {

  /**
   * Request {@code {id, trigger_type, function_id, config, metadata?, owner?, once?}}; reply
   * {@code null} or a wire error. {@code owner} names the registering connection; {@code once}
   * marks a trigger meant to exist once in the cluster, which this node re-adds if the copy of
   * another member goes away.
   */
  public static final String REGISTER = "streamnode.triggers.register";
  /** Request {@code {id, owner?}}: removed only if {@code owner} registered it; reply {@code null}. */
  public static final String UNREGISTER = "streamnode.triggers.unregister";
  /** Request: the {@code stream:join} payload; reply {@code {"unauthorized": bool}}. */
  public static final String JOIN = "streamnode.triggers.join";
  /** Send: the {@code stream:leave} payload; no reply. */
  public static final String LEAVE = "streamnode.triggers.leave";
  /** Request: no body; replied {@code null} once every leave sent before it has reached all its handlers. */
  public static final String DRAIN_LEAVES = "streamnode.triggers.drain-leaves";

  private TriggerAddresses() {
  }
}
