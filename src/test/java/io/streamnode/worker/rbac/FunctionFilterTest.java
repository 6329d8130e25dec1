package io.streamnode.worker.rbac;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code expose_functions} rules mean what they mean in iii (cases taken from iii's own tests). */
class FunctionFilterTest {

  private static boolean exposes(Object rule, String id) {
    return FunctionFilter.parse(rule).matches(id, null);
  }

  @Test
  void aWildcardStandsForAnyRunAndThePatternIsAnchoredAtBothEnds() {
    assertTrue(exposes("match(\"hello::world\")", "hello::world"));
    assertFalse(exposes("match(\"hello::world\")", "hello::worldx"));
    assertTrue(exposes("match(\"engine::*\")", "engine::bar::baz"));
    assertFalse(exposes("match(\"engine::*\")", "other::foo"));
    assertTrue(exposes("match(\"*::public\")", "x::y::public"));
    assertFalse(exposes("match(\"*::public\")", "api::private"));
    assertTrue(exposes("match(\"*public*\")", "mypublicfn"));
    assertTrue(exposes("match(\"api::*::read\")", "api::users::read"));
    assertFalse(exposes("match(\"api::*::read\")", "api::users::write"));
    assertTrue(exposes("match('*')", ""));
    assertTrue(exposes(new JsonObject().put("match", "api::*"), "api::x"));
  }

  @Test
  void aMetadataRuleNeedsEveryKeyEqualOrMatchingItsPattern() {
    FunctionFilter rule = FunctionFilter.parse(new JsonObject().put("metadata",
        new JsonObject().put("public", true).put("tier", "match(\"free-*\")")));
    assertTrue(rule.matches("any", new JsonObject().put("public", true).put("tier", "free-1").put("extra", 1)));
    assertFalse(rule.matches("any", new JsonObject().put("public", false).put("tier", "free-1")));
    assertFalse(rule.matches("any", new JsonObject().put("public", true).put("tier", "paid")));
    assertFalse(rule.matches("any", new JsonObject().put("public", true).put("tier", 42)));
    assertFalse(rule.matches("any", new JsonObject().put("public", true)));
    assertFalse(rule.matches("any", null));
    assertTrue(FunctionFilter.parse(new JsonObject().put("metadata", new JsonObject().put("v", 1)))
        .matches("any", new JsonObject().put("v", 1L)));
  }

  @Test
  void aMalformedRuleIsRefusedWithWhatIsExpected() {
    assertEquals("expected match(\"pattern\"), got: api::*",
        assertThrows(IllegalArgumentException.class, () -> FunctionFilter.parse("api::*")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> FunctionFilter.parse(new JsonObject().put("metdata", new JsonObject())));
    assertThrows(IllegalArgumentException.class, () -> FunctionFilter.parse(new JsonObject()));
    assertThrows(IllegalArgumentException.class, () -> FunctionFilter.parse(new JsonObject().put("match", "a")
        .put("metadata", new JsonObject().put("k", 1))));
    assertThrows(IllegalArgumentException.class, () -> FunctionFilter.parse(42));
  }
}
