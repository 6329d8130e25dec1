package io.streamnode.testing;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one client of the stream socket knows of one group, rebuilt from the frames it received the
 * way a real client would (a {@code sync} replaces the state, events change it), plus checks of
 * the positions a client that asked for them ({@code positions: true} or {@code since}) receives:
 * between two syncs, each event's offset must be exactly one more than the one before, in the
 * same epoch. {@link #violations()} lists every frame that broke that rule.
 */
public final class GroupView {

  private final Map<String, Object> items = new LinkedHashMap<>();
  private final List<String> violations = new ArrayList<>();
  private final List<Object> history = new ArrayList<>();
  private String epoch;
  private long offset = -1;
  private int syncs;
  private int recovered;
  private int events;

  /** Applies every frame of {@code frames} whose streamName/groupId match. */
  public static GroupView of(List<JsonObject> frames, String stream, String group) {
    GroupView view = new GroupView();
    for (JsonObject f : frames) {
      if (stream.equals(f.getString("streamName")) && group.equals(f.getString("groupId"))) {
        view.apply(f);
      }
    }
    return view;
  }

  public void apply(JsonObject frame) {
    JsonObject event = frame.getJsonObject("event");
    JsonObject position = frame.getJsonObject("position");
    String type = event.getString("type");
    if ("sync".equals(type)) {
      syncs++;
      if (Boolean.TRUE.equals(event.getValue("recovered"))) {
        recovered++;
      } else {
        items.clear();
        Object data = event.getValue("data");
        if (data instanceof JsonArray values) {
          for (int i = 0; i < values.size(); i++) {
            items.put("#" + i, values.getValue(i)); // a group sync carries values only
          }
        }
      }
      if (position != null) {
        epoch = position.getString("epoch");
        offset = position.getLong("offset");
      }
      return;
    }
    events++;
    if (position != null) {
      String e = position.getString("epoch");
      long o = position.getLong("offset");
      boolean follows = e.equals(epoch) ? o == offset + 1 : "0".equals(epoch) && o == 1;
      if (!follows) {
        violations.add("event at " + e + "/" + o + " after " + epoch + "/" + offset + ": " + frame.encode());
      }
      epoch = e;
      offset = o;
    }
    String id = frame.getString("id");
    switch (type) {
      case "create", "update" -> {
        items.put(id, event.getValue("data"));
        history.add(event.getValue("data"));
      }
      case "delete" -> items.remove(id);
      default -> history.add(event.getValue("event") instanceof JsonObject custom ? custom.getValue("data") : null);
    }
  }

  /** The value of an item as the client knows it (from events; a group sync keys values by index). */
  public Object item(String id) {
    return items.get(id);
  }

  /** Every data value of a create, update or custom event, in arrival order. */
  public List<Object> history() {
    return history;
  }

  public List<String> violations() {
    return violations;
  }

  public int syncs() {
    return syncs;
  }

  public int recoveredSyncs() {
    return recovered;
  }

  public int events() {
    return events;
  }

  public String epoch() {
    return epoch;
  }

  public long offset() {
    return offset;
  }
}
