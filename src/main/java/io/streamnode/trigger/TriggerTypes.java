package io.streamnode.trigger;

/** The trigger types this node fires, as iii names them. */
public final class TriggerTypes {

  /** Fires on create/update/delete/send of a stream; config {@code stream_name}, optional {@code group_id}, {@code item_id}, {@code condition_function_id}. */
  public static final String STREAM = "stream";
  /** Fires when a socket joins a subscription; may answer {@code {"unauthorized":true}}. */
  public static final String STREAM_JOIN = "stream:join";
  /** Fires when a subscription ends (leave message or socket close). */
  public static final String STREAM_LEAVE = "stream:leave";

  /** Fires on {@code publish} to a topic; config {@code topic} (exact match). The handler gets the raw {@code data}. */
  public static final String SUBSCRIBE = "subscribe";

  private TriggerTypes() {
  }
}
