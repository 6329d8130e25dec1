package io.streamnode.trigger;

import io.vertx.core.json.JsonObject;

/**
 * A registered trigger: when something of {@code type} happens and {@code config} matches,
 * the function {@code functionId} is called.
 *
 * @param id unique id, chosen by the registrant (iii SDKs use UUIDs); registering an existing id replaces it
 * @param type the trigger type, e.g. {@code stream}
 * @param functionId the function to call
 * @param config type-specific configuration
 * @param metadata opaque registrant metadata, or {@code null}
 */
public record Trigger(String id, String type, String functionId, JsonObject config, JsonObject metadata) {

  /** Reads a registration message {@code {id, trigger_type, function_id, config, metadata?}}. */
  public static Trigger fromJson(JsonObject json) {
    Object config = json.getValue("config");
    Object metadata = json.getValue("metadata");
    return new Trigger(json.getString("id"), json.getString("trigger_type"), json.getString("function_id"),
        config instanceof JsonObject c ? c : new JsonObject(),
        metadata instanceof JsonObject m ? m : null);
  }

  /** The registration message for this trigger. */
  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("id", id).put("trigger_type", type)
        .put("function_id", functionId).put("config", config);
    if (metadata != null) {
      json.put("metadata", metadata);
    }
    return json;
  }

  /** {@code stream} trigger filter: exact stream, empty/absent group and item match all. */
  public boolean matchesStreamEvent(String stream, String group, String item) {
    if (!stream.equals(config.getValue("stream_name"))) {
      return false;
    }
    Object g = config.getValue("group_id");
    if (g instanceof String gs && !gs.isEmpty() && !gs.equals(group)) {
      return false;
    }
    Object i = config.getValue("item_id");
    return !(i instanceof String is && !is.isEmpty() && !is.equals(item));
  }

  /** The {@code condition_function_id} of a stream trigger, or {@code null}. */
  public String conditionFunctionId() {
    Object c = config.getValue("condition_function_id");
    return c instanceof String s && !s.isEmpty() ? s : null;
  }
}
