package io.streamnode.cli;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The trigger CLI builds inputs exactly as `iii trigger` does. */
class TriggerPayloadTest {

  @Test
  void noArgumentsGiveAnEmptyObject() {
    assertEquals(new JsonObject(), TriggerPayload.parse(List.of(), null));
  }

  @Test
  void pairValuesAreJsonWhenTheyParseAndStringsOtherwise() {
    assertEquals(new JsonObject("{\"count\":10,\"name\":\"alice\",\"data\":{\"a\":[1]},\"flag\":true,\"id\":\"abc-1\"}"),
        TriggerPayload.parse(List.of("count=10", "name=alice", "data={\"a\":[1]}", "flag=true", "id=abc-1"), null));
  }

  @Test
  void jsonAloneIsTakenAsItIsEvenWhenNotAnObject() {
    assertEquals(new JsonArray("[1,2,3]"), TriggerPayload.parse(List.of(), "[1,2,3]"));
  }

  @Test
  void pairsOverrideAndExtendTheJsonObject() {
    assertEquals(new JsonObject("{\"a\":99,\"b\":2,\"c\":3}"), TriggerPayload.parse(List.of("a=99", "c=3"), "{\"a\":1,\"b\":2}"));
  }

  @Test
  void badInputIsRefusedWithIiisMessages() {
    assertEquals("expected key=value, got `oops`",
        assertThrows(IllegalArgumentException.class, () -> TriggerPayload.parse(List.of("oops"), null)).getMessage());
    assertEquals("payload key must not be empty (got `=1`)",
        assertThrows(IllegalArgumentException.class, () -> TriggerPayload.parse(List.of("=1"), null)).getMessage());
    assertEquals("--json must be an object when combined with kv pairs",
        assertThrows(IllegalArgumentException.class, () -> TriggerPayload.parse(List.of("a=1"), "[1]")).getMessage());
    assertEquals("--json: invalid JSON `{`",
        assertThrows(IllegalArgumentException.class, () -> TriggerPayload.parse(List.of(), "{")).getMessage());
  }
}
