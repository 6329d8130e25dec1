package io.streamnode.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Configuration comes from defaults, then YAML, then environment, then flags; errors name the key. */
class ConfigLoaderTest {

  @TempDir
  Path dir;

  private Path yaml(String text) throws IOException {
    Path file = dir.resolve("streamnode.yaml");
    Files.writeString(file, text);
    return file;
  }

  @Test
  void defaultsAreTheEmbeddedSingleNode() {
    NodeOptions o = new ConfigLoader(Map.of()).load(null, Map.of());
    assertEquals("127.0.0.1", o.getStreamSocket().getHost());
    assertEquals(3112, o.getStreamSocket().getPort());
    assertEquals(3111, o.getHttpApi().getPort());
    assertEquals("kv", o.getAdapter().getName());
    assertEquals("in_memory", o.getAdapter().storeMethod());
    assertNull(o.getStreamSocket().getAuthFunction());
    assertEquals(false, o.isCluster());
  }

  @Test
  void theShippedConfigFileLoadsAndEqualsTheDefaults() {
    NodeOptions o = new ConfigLoader(Map.of()).load(Path.of("conf/streamnode.yaml"), Map.of());
    assertEquals(new NodeOptions().toJson(), o.toJson());
  }

  @Test
  void yamlOverridesDefaultsAndPlaceholdersReadTheEnvironment() throws IOException {
    Path file = yaml("""
        stream_socket:
          port: ${MY_PORT:4000}
          auth_function: auth::check
        adapter:
          config:
            store_method: file_based
            file_path: ${DATA:/tmp/x}
        limits:
          max_frame_bytes: 2048
        """);
    NodeOptions o = new ConfigLoader(Map.of("MY_PORT", "4100")).load(file, Map.of());
    assertEquals(4100, o.getStreamSocket().getPort());
    assertEquals("auth::check", o.getStreamSocket().getAuthFunction());
    assertEquals("file_based", o.getAdapter().storeMethod());
    assertEquals("/tmp/x", o.getAdapter().getConfig().getString("file_path"));
    assertEquals(2048, o.getLimits().getMaxFrameBytes());
    assertEquals(3111, o.getHttpApi().getPort(), "untouched keys keep their defaults");
  }

  @Test
  void httpRouteOptionsComeFromYamlAndTheEnvironment() throws IOException {
    Path file = yaml("""
        http_api:
          concurrency_limit: 8
          cors:
            allowed_origins: [https://app.example]
          middleware:
            - function_id: auth::check
              priority: 10
            - function_id: rate::limit
        """);
    NodeOptions o = new ConfigLoader(Map.of("STREAMNODE_HTTP_API_CORS_ALLOWED_METHODS", "GET,POST")).load(file, Map.of());
    assertEquals(8, o.getHttpApi().getConcurrencyLimit());
    assertEquals(java.util.List.of("https://app.example"), o.getHttpApi().getCors().getAllowedOrigins());
    assertEquals(java.util.List.of("GET", "POST"), o.getHttpApi().getCors().getAllowedMethods());
    assertEquals(2, o.getHttpApi().getMiddleware().size());
    assertEquals("auth::check", o.getHttpApi().getMiddleware().get(0).getFunctionId());
    assertEquals(10, o.getHttpApi().getMiddleware().get(0).getPriority());
    assertEquals(0, o.getHttpApi().getMiddleware().get(1).getPriority());
    assertEquals("preHandler", o.getHttpApi().getMiddleware().get(1).getPhase());
  }

  @Test
  void aMiddlewareWithoutFunctionIdOrAZeroConcurrencyLimitIsRefused() throws IOException {
    ConfigException noId = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of())
        .load(yaml("http_api:\n  middleware:\n    - priority: 1\n"), Map.of()));
    assertTrue(noId.getMessage().contains("function_id"), noId.getMessage());
    ConfigException zero = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of())
        .load(null, Map.of("http_api.concurrency_limit", "0")));
    assertTrue(zero.getMessage().startsWith("http_api.concurrency_limit"), zero.getMessage());
  }

  @Test
  void environmentOverridesTheFileAndFlagsOverrideTheEnvironment() throws IOException {
    Path file = yaml("stream_socket:\n  port: 4000\nhttp_api:\n  port: 4001\n");
    NodeOptions o = new ConfigLoader(Map.of(
        "STREAMNODE_STREAM_SOCKET_PORT", "5000",
        "STREAMNODE_HTTP_API_PORT", "5001",
        "STREAMNODE_ADAPTER_CONFIG_STORE_METHOD", "file_based",
        "STREAMNODE_LIMITS_CALL_TIMEOUT_MS", "1234"))
        .load(file, Map.of("http_api.port", "6001", "http_api.enabled", "false"));
    assertEquals(5000, o.getStreamSocket().getPort());
    assertEquals(6001, o.getHttpApi().getPort());
    assertEquals(false, o.getHttpApi().isEnabled());
    assertEquals("file_based", o.getAdapter().storeMethod());
    assertEquals(1234, o.getLimits().getCallTimeoutMs());
  }

  @Test
  void anUnknownKeyStopsStartUpNamingTheKey() throws IOException {
    Path file = yaml("stream_socket:\n  prot: 1\n");
    ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(file, Map.of()));
    assertTrue(e.getMessage().startsWith("stream_socket.prot: unknown key"), e.getMessage());
  }

  @Test
  void aValueOfTheWrongTypeStopsStartUpNamingTheKey() throws IOException {
    Path file = yaml("limits:\n  max_frame_bytes: lots\n");
    ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(file, Map.of()));
    assertTrue(e.getMessage().startsWith("limits.max_frame_bytes"), e.getMessage());
  }

  @Test
  void aBadEnvironmentValueNamesTheVariable() {
    ConfigException e = assertThrows(ConfigException.class, () ->
        new ConfigLoader(Map.of("STREAMNODE_STREAM_SOCKET_PORT", "x")).load(null, Map.of()));
    assertTrue(e.getMessage().contains("STREAMNODE_STREAM_SOCKET_PORT"), e.getMessage());
  }

  @Test
  void eventLoopsComeFromTheEnvironmentAndANegativeCountIsRefused() {
    assertEquals(0, new ConfigLoader(Map.of()).load(null, Map.of()).getEventLoops());
    assertEquals(1, new ConfigLoader(Map.of("STREAMNODE_EVENT_LOOPS", "1")).load(null, Map.of()).getEventLoops());
    ConfigException e = assertThrows(ConfigException.class, () ->
        new ConfigLoader(Map.of()).load(null, Map.of("event_loops", "-1")));
    assertTrue(e.getMessage().startsWith("event_loops"), e.getMessage());
  }

  @Test
  void anOutOfRangePortIsRefused() {
    ConfigException e = assertThrows(ConfigException.class, () ->
        new ConfigLoader(Map.of()).load(null, Map.of("stream_socket.port", "70000")));
    assertTrue(e.getMessage().startsWith("stream_socket.port"), e.getMessage());
  }

  @Test
  void anUnknownFlagIsRefused() {
    ConfigException e = assertThrows(ConfigException.class, () ->
        new ConfigLoader(Map.of()).load(null, Map.of("stream_sockett.port", "1")));
    assertTrue(e.getMessage().startsWith("stream_sockett.port: unknown option"), e.getMessage());
  }

  @Test
  void anUnknownAdapterIsRefused() {
    ConfigException e = assertThrows(ConfigException.class, () ->
        new ConfigLoader(Map.of()).load(null, Map.of("adapter.name", "mongo")));
    assertTrue(e.getMessage().startsWith("adapter.name"), e.getMessage());
  }

  @Test
  void theAdapterConfigBlockAcceptsAdapterSpecificKeys() throws IOException {
    Path file = yaml("adapter:\n  config:\n    channel_size: 256\n");
    NodeOptions o = new ConfigLoader(Map.of()).load(file, Map.of());
    assertEquals(256, o.getAdapter().getConfig().getInteger("channel_size"));
  }
}
