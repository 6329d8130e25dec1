package io.streamnode.worker.rbac;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The auth function's result is read as iii's {@code AuthResult}: every key optional, wrong types refused. */
class AuthResultTest {

  @Test
  void anEmptyResultGivesIiisDefaults() {
    AuthResult r = AuthResult.parse(new JsonObject().put("unknown", 1));
    assertEquals(List.of(), r.allowedFunctions());
    assertEquals(List.of(), r.forbiddenFunctions());
    assertNull(r.allowedTriggerTypes());
    assertTrue(r.allowFunctionRegistration());
    assertEquals(new JsonObject(), r.context());
    assertNull(r.functionRegistrationPrefix());
  }

  @Test
  void everyKeyIsRead() {
    AuthResult r = AuthResult.parse(new JsonObject()
        .put("allowed_functions", new JsonArray().add("a")).put("forbidden_functions", new JsonArray().add("b"))
        .put("allowed_trigger_types", new JsonArray().add("stream")).put("allow_function_registration", false)
        .put("context", new JsonObject().put("user", "u")).put("function_registration_prefix", "p"));
    assertEquals(List.of("a"), r.allowedFunctions());
    assertEquals(List.of("b"), r.forbiddenFunctions());
    assertEquals(List.of("stream"), r.allowedTriggerTypes());
    assertEquals(false, r.allowFunctionRegistration());
    assertEquals(new JsonObject().put("user", "u"), r.context());
    assertEquals("p", r.functionRegistrationPrefix());
  }

  @Test
  void aKeyOfTheWrongTypeOrANonObjectIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> AuthResult.parse("ok"));
    assertThrows(IllegalArgumentException.class, () -> AuthResult.parse(new JsonObject().put("allowed_functions", "a")));
    assertThrows(IllegalArgumentException.class, () -> AuthResult.parse(new JsonObject().put("allowed_functions", new JsonArray().add(1))));
    assertThrows(IllegalArgumentException.class, () -> AuthResult.parse(new JsonObject().putNull("forbidden_functions")));
    assertThrows(IllegalArgumentException.class, () -> AuthResult.parse(new JsonObject().put("allow_function_registration", "yes")));
    assertThrows(IllegalArgumentException.class, () -> AuthResult.parse(new JsonObject().put("function_registration_prefix", 1)));
  }
}
