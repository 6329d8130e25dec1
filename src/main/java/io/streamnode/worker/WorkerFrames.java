package io.streamnode.worker;

import io.streamnode.function.FunctionException;
import io.streamnode.function.FunctionResult;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/**
 * The worker protocol's message catalogue (iii's {@code protocol.rs} {@code Message}): the
 * {@code type} names, builders for what the node sends and readers that decode fields the way
 * iii's serde does. A frame whose required field is missing or mistyped is a
 * {@link MalformedFrame}: iii drops such a frame as a whole, and so do we.
 */
final class WorkerFrames {

  // Worker -> node
  static final String REGISTER_FUNCTION = "registerfunction";
  static final String UNREGISTER_FUNCTION = "unregisterfunction";
  static final String REGISTER_TRIGGER = "registertrigger";
  static final String UNREGISTER_TRIGGER = "unregistertrigger";
  static final String REGISTER_TRIGGER_TYPE = "registertriggertype";
  static final String UNREGISTER_TRIGGER_TYPE = "unregistertriggertype";
  static final String TRIGGER_REGISTRATION_RESULT = "triggerregistrationresult";
  static final String INVOKE_FUNCTION = "invokefunction";
  static final String INVOCATION_RESULT = "invocationresult";
  static final String REATTACH = "reattach";
  static final String PING = "ping";
  static final String PONG = "pong";
  // Node -> worker
  static final String WORKER_REGISTERED = "workerregistered";
  /** Sent by an RBAC listener before it closes a connection its auth function refused. */
  static final String ERROR = "error";

  /** The iii function a worker calls (void) right after connecting to describe itself. */
  static final String ENGINE_WORKERS_REGISTER = "engine::workers::register";
  /** Key iii adds to the object input of every call a worker makes. */
  static final String CALLER_WORKER_ID = "_caller_worker_id";
  /** Error code of a failed trigger registration, iii's. */
  static final String TRIGGER_REGISTRATION_FAILED = "trigger_registration_failed";
  /** Error code of an enqueue action (iii answers it when no queue provider is installed). */
  static final String ENQUEUE_ERROR = "enqueue_error";

  private WorkerFrames() {
  }

  static JsonObject workerRegistered(String workerId, String reattachToken) {
    return new JsonObject().put("type", WORKER_REGISTERED).put("worker_id", workerId)
        .put("reattach_token", reattachToken);
  }

  /** A call of a worker's function; iii always sends {@code data}, {@code null} included. */
  static JsonObject invokeFunction(String invocationId, String functionId, Object data) {
    return new JsonObject().put("type", INVOKE_FUNCTION).put("invocation_id", invocationId)
        .put("function_id", functionId).put("data", data);
  }

  /** A successful result; no result omits the {@code result} key. */
  static JsonObject invocationResult(String invocationId, String functionId, FunctionResult result) {
    JsonObject frame = new JsonObject().put("type", INVOCATION_RESULT).put("invocation_id", invocationId)
        .put("function_id", functionId);
    if (result != null && result.present()) {
      frame.put("result", result.value());
    }
    return frame;
  }

  static JsonObject invocationError(String invocationId, String functionId, FunctionException error) {
    return new JsonObject().put("type", INVOCATION_RESULT).put("invocation_id", invocationId)
        .put("function_id", functionId).put("error", error.toJson());
  }

  static JsonObject triggerRegistrationFailed(String id, String triggerType, String functionId, String message) {
    return triggerRegistrationFailed(id, triggerType, functionId,
        new FunctionException(TRIGGER_REGISTRATION_FAILED, message, 500));
  }

  static JsonObject triggerRegistrationFailed(String id, String triggerType, String functionId, FunctionException error) {
    return new JsonObject().put("type", TRIGGER_REGISTRATION_RESULT).put("id", id).put("trigger_type", triggerType)
        .put("function_id", functionId).put("error", error.toJson());
  }

  /** iii's {@code {"type":"error","error":{"code":..,"message":..}}}: why the connection is being closed. */
  static JsonObject error(FunctionException error) {
    return new JsonObject().put("type", ERROR).put("error", error.toJson());
  }

  static JsonObject pong() {
    return new JsonObject().put("type", PONG);
  }

  /** A required string field. */
  static String string(JsonObject frame, String key) {
    if (frame.getValue(key) instanceof String s) {
      return s;
    }
    throw new MalformedFrame(frame.containsKey(key) ? "invalid type for `" + key + "`" : "missing field `" + key + "`");
  }

  /** An optional string field: absent or {@code null} gives {@code null}. */
  static String optionalString(JsonObject frame, String key) {
    Object v = frame.getValue(key);
    if (v == null || v instanceof String) {
      return (String) v;
    }
    throw new MalformedFrame("invalid type for `" + key + "`");
  }

  /**
   * An optional UUID field, returned in canonical lower-case form (iii parses ids as UUIDs and
   * echoes them that way). Absent or {@code null} gives {@code null}; anything else is malformed.
   */
  static String optionalUuid(JsonObject frame, String key) {
    String s = optionalString(frame, key);
    return s == null ? null : uuid(s, key);
  }

  /** A required UUID field, in canonical form. */
  static String requiredUuid(JsonObject frame, String key) {
    return uuid(string(frame, key), key);
  }

  private static String uuid(String s, String key) {
    String hyphenated = s;
    if (s.length() == 32 && s.indexOf('-') < 0) {
      hyphenated = s.substring(0, 8) + "-" + s.substring(8, 12) + "-" + s.substring(12, 16) + "-"
          + s.substring(16, 20) + "-" + s.substring(20);
    }
    if (hyphenated.length() != 36) {
      throw new MalformedFrame("`" + key + "` is not a UUID");
    }
    try {
      return UUID.fromString(hyphenated).toString();
    } catch (IllegalArgumentException e) {
      throw new MalformedFrame("`" + key + "` is not a UUID");
    }
  }

  /** A frame that does not have its type's shape; it is logged and dropped, the connection lives. */
  static final class MalformedFrame extends RuntimeException {
    MalformedFrame(String why) {
      super(why, null, false, false);
    }
  }
}
