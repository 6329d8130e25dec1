package io.streamnode.store.kv;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class FileStorageOptionsTest {

  @Test
  void anEmptyConfigGivesTheDefaults() {
    assertEquals(new FileStorageOptions().toJson(), new FileStorageOptions(new JsonObject()).toJson());
    assertEquals(new JsonObject()
            .put("file_path", "./data/streams")
            .put("save_interval_ms", 5000L)
            .put("compact_min_bytes", 8L * 1024 * 1024)
            .put("compact_ratio", 2.0)
            .put("fsync", false),
        new FileStorageOptions().toJson());
  }

  @Test
  void everyKeyIsReadAndWrittenBack() {
    JsonObject config = new JsonObject()
        .put("file_path", "/var/lib/streams")
        .put("save_interval_ms", 250L)
        .put("compact_min_bytes", 1024L)
        .put("compact_ratio", 3.5)
        .put("fsync", true);
    FileStorageOptions options = new FileStorageOptions(config);
    assertEquals(config, options.toJson());
    assertEquals(config, new FileStorageOptions(options).toJson());
  }

  @Test
  void aSaveIntervalBelowTheFloorIsRaisedToIt() {
    assertEquals(100, new FileStorageOptions(new JsonObject().put("save_interval_ms", 5)).getSaveIntervalMs());
  }

  @Test
  void negativeThresholdsAreRejected() {
    assertThrows(IllegalArgumentException.class, () -> new FileStorageOptions().setCompactMinBytes(-1));
    assertThrows(IllegalArgumentException.class, () -> new FileStorageOptions().setCompactRatio(-0.5));
  }
}
