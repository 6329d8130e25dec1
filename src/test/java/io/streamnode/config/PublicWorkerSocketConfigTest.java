package io.streamnode.config;

import io.streamnode.worker.PublicWorkerSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code public_worker_socket} is read like every section: file (iii's rbac block as is), environment, flags. */
class PublicWorkerSocketConfigTest {

  @TempDir
  Path dir;

  private Path yaml(String text) throws IOException {
    Path file = dir.resolve("streamnode.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void offByDefaultOnLoopbackWithAnyOriginAndNothingExposed() {
    PublicWorkerSocketOptions o = new ConfigLoader(Map.of()).load(null, Map.of()).getPublicWorkerSocket();
    assertFalse(o.isEnabled());
    assertEquals("127.0.0.1", o.getHost());
    assertEquals(49135, o.getPort());
    assertEquals(List.of("*"), o.getAllowedOrigins());
    assertNull(o.getRbac().getAuthFunctionId());
    assertEquals(List.of(), o.getRbac().getExposeFunctions());
  }

  @Test
  void anIiiRbacBlockReadsAsWritten() throws IOException {
    Path file = yaml("""
        public_worker_socket:
          enabled: true
          port: 3110
          allowed_origins: [https://app.example]
          rbac:
            auth_function_id: my-project::auth
            on_function_registration_function_id: my-project::on-function-reg
            on_trigger_registration_function_id: my-project::on-trigger-reg
            expose_functions:
              - match("api::*")
              - match("*::public")
              - metadata:
                  public: true
                  name: match("*public*")
        """);
    PublicWorkerSocketOptions o = new ConfigLoader(Map.of()).load(file, Map.of()).getPublicWorkerSocket();
    assertTrue(o.isEnabled());
    assertEquals(3110, o.getPort());
    assertEquals(List.of("https://app.example"), o.getAllowedOrigins());
    assertEquals("my-project::auth", o.getRbac().getAuthFunctionId());
    assertEquals("my-project::on-function-reg", o.getRbac().getOnFunctionRegistrationFunctionId());
    assertEquals("my-project::on-trigger-reg", o.getRbac().getOnTriggerRegistrationFunctionId());
    assertEquals(3, o.getRbac().exposeFilters().size());
    assertTrue(o.getRbac().exposeFilters().get(2).matches("x",
        new io.vertx.core.json.JsonObject().put("public", true).put("name", "a-public-fn")));
  }

  @Test
  void theEnvironmentAndFlagsSetItToo() {
    PublicWorkerSocketOptions o = new ConfigLoader(Map.of(
        "STREAMNODE_PUBLIC_WORKER_SOCKET_ENABLED", "true",
        "STREAMNODE_PUBLIC_WORKER_SOCKET_RBAC_AUTH_FUNCTION_ID", "env::auth"))
        .load(null, Map.of("public_worker_socket.rbac.expose_functions", "match(\"stream::list\"),match(\"ui::*\")",
            "public_worker_socket.host", "0.0.0.0"))
        .getPublicWorkerSocket();
    assertTrue(o.isEnabled());
    assertEquals("0.0.0.0", o.getHost());
    assertEquals("env::auth", o.getRbac().getAuthFunctionId());
    assertEquals(List.of("match(\"stream::list\")", "match(\"ui::*\")"), o.getRbac().getExposeFunctions());
  }

  @Test
  void aMalformedRuleOrAnUnknownKeyStopsStartUpNamingIt() throws IOException {
    ConfigException bad = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(yaml("""
        public_worker_socket:
          rbac:
            expose_functions: ["api::*"]
        """), Map.of()));
    assertTrue(bad.getMessage().startsWith("public_worker_socket.rbac.expose_functions[0]: expected match(\"pattern\")"),
        bad.getMessage());
    ConfigException unknown = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(yaml("""
        public_worker_socket:
          rbac:
            auth_function: x
        """), Map.of()));
    assertTrue(unknown.getMessage().startsWith("public_worker_socket.rbac.auth_function: unknown key"), unknown.getMessage());
  }
}
