package io.streamnode.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;

/** Golden-JSON comparison of stream wrappers: the timestamp is checked, then normalized to 0. */
public final class Frames {

  /** How far a wrapper's timestamp may be from the test's clock, in ms. */
  public static final long CLOCK_TOLERANCE_MS = 10_000;

  private Frames() {
  }

  /**
   * Asserts that {@code frame} has an integer millisecond {@code timestamp} near now and returns
   * its JSON text with the timestamp set to 0, keys in the order they arrived.
   */
  public static String normalized(JsonObject frame) {
    Object ts = frame.getValue("timestamp");
    assertInstanceOf(Long.class, ts, () -> "timestamp must be an integer number of ms since epoch: " + frame);
    long now = System.currentTimeMillis();
    assertTrue(Math.abs(now - (Long) ts) < CLOCK_TOLERANCE_MS,
        () -> "timestamp " + ts + " is not within " + CLOCK_TOLERANCE_MS + " ms of now (" + now + ")");
    return frame.copy().put("timestamp", 0L).encode();
  }

  /** Asserts {@code frame} equals the golden text (timestamp written as 0), key order included. */
  public static void assertGolden(String golden, JsonObject frame) {
    assertEquals(golden, normalized(frame));
  }

  /** The golden wrapper text iii sends: {@code event} is raw JSON, {@code id} null or a string. */
  public static String wrapper(String stream, String group, String id, String eventJson) {
    return "{\"type\":\"stream\",\"timestamp\":0,\"streamName\":\"" + stream + "\",\"groupId\":\"" + group
        + "\",\"id\":" + (id == null ? "null" : "\"" + id + "\"") + ",\"event\":" + eventJson + "}";
  }
}
