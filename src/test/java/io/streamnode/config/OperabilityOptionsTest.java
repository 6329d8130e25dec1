package io.streamnode.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamnode.metrics.MetricsOptions;
import io.streamnode.presence.PresenceOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The {@code metrics} and {@code presence} sections: the shipped file holds their defaults, YAML
 * and flags reach the options objects, unknown keys stop start-up, and the options survive
 * {@code toJson} and the copy constructor.
 */
class OperabilityOptionsTest {

  @TempDir
  Path dir;

  @Test
  void theShippedConfigurationHoldsTheDefaults() {
    NodeOptions o = new ConfigLoader(Map.of()).load(Path.of("conf/streamnode.yaml"), Map.of());
    assertTrue(o.getMetrics().isEnabled());
    assertTrue(o.getMetrics().isJvm());
    assertEquals(PresenceOptions.DEFAULT_NOTICE_INTERVAL_MS, o.getPresence().getNoticeIntervalMs());
    assertEquals(PresenceOptions.DEFAULT_MAX_NOTICE_ENTRIES, o.getPresence().getMaxNoticeEntries());
  }

  @Test
  void yamlAndFlagsReachTheOptionsAndUnknownKeysStopStartUp() throws IOException {
    Path file = dir.resolve("streamnode.yaml");
    Files.writeString(file, "metrics:\n  enabled: false\npresence:\n  notice_interval_ms: 250\n");
    NodeOptions o = new ConfigLoader(Map.of()).load(file, Map.of("presence.max_notice_entries", "7", "metrics.jvm", "false"));
    assertFalse(o.getMetrics().isEnabled());
    assertFalse(o.getMetrics().isJvm());
    assertEquals(250, o.getPresence().getNoticeIntervalMs());
    assertEquals(7, o.getPresence().getMaxNoticeEntries());
    NodeOptions copy = new NodeOptions(o);
    assertEquals(o.toJson(), copy.toJson());
    assertEquals(new MetricsOptions(o.getMetrics()).toJson(), o.getMetrics().toJson());

    Files.writeString(file, "presence:\n  notice_intervall_ms: 250\n");
    ConfigException e = assertThrows(ConfigException.class, () -> new ConfigLoader(Map.of()).load(file, Map.of()));
    assertTrue(e.getMessage().contains("presence.notice_intervall_ms"), e.getMessage());
  }
}
