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

  /**
   * Serves an HTTP route on the HTTP API port; config {@code api_path} (with {@code :name}
   * segments), {@code http_method}, optional {@code condition_function_id} and
   * {@code middleware_function_ids}. The handler gets iii's request object and answers
   * {@code {status_code, body, headers}}.
   */
  public static final String HTTP = "http";

  private TriggerTypes() {
  }
}
