package io.streamnode.store.kv;

import io.vertx.core.json.JsonObject;

/**
 * Options of {@link FileStorage}, the kv adapter's {@code file_based} store method. Keys of the
 * JSON form are the config file's: {@code file_path}, {@code save_interval_ms},
 * {@code compact_min_bytes}, {@code compact_ratio}, {@code fsync}.
 */
public class FileStorageOptions {

  /** Directory holding the snapshot and the log files: {@code ./data/streams}. */
  public static final String DEFAULT_FILE_PATH = "./data/streams";
  /** How often the log size is checked for compaction, in milliseconds: 5000. */
  public static final long DEFAULT_SAVE_INTERVAL_MS = 5000;
  /** The smallest accepted save interval, in milliseconds: 100 (a lower value is raised to it). */
  public static final long MIN_SAVE_INTERVAL_MS = 100;
  /** A log smaller than this is never compacted, in bytes: 8 MiB. */
  public static final long DEFAULT_COMPACT_MIN_BYTES = 8L * 1024 * 1024;
  /** Compact when the log is larger than this many times the last snapshot: 2.0 (unitless). */
  public static final double DEFAULT_COMPACT_RATIO = 2.0;
  /** Whether every batch is fsynced before it is acknowledged: false. */
  public static final boolean DEFAULT_FSYNC = false;

  /** Directory of the store (created if missing); one process at a time may open it. Default {@link #DEFAULT_FILE_PATH}. */
  private String filePath;
  /** Compaction check cadence in milliseconds, at least {@link #MIN_SAVE_INTERVAL_MS}. Default {@link #DEFAULT_SAVE_INTERVAL_MS}. */
  private long saveIntervalMs;
  /** Log size in bytes below which no compaction happens. Default {@link #DEFAULT_COMPACT_MIN_BYTES}. */
  private long compactMinBytes;
  /** Compact when log bytes exceed this ratio times the last snapshot's bytes. Default {@link #DEFAULT_COMPACT_RATIO}. */
  private double compactRatio;
  /**
   * Whether to fsync each written batch (and the directory on new files) before acknowledging.
   * Default {@link #DEFAULT_FSYNC}.
   *
   * <p>An acknowledged write has always been handed to the OS with {@code write()}, which is
   * enough to survive the process dying, even by {@code kill -9}: the page cache belongs to the
   * kernel. Surviving a power loss or a kernel crash needs the data on the device, which only
   * fsync gives, at the price of one device flush per batch (group commit shares it between
   * every write queued meanwhile).
   */
  private boolean fsync;

  public FileStorageOptions() {
    filePath = DEFAULT_FILE_PATH;
    saveIntervalMs = DEFAULT_SAVE_INTERVAL_MS;
    compactMinBytes = DEFAULT_COMPACT_MIN_BYTES;
    compactRatio = DEFAULT_COMPACT_RATIO;
    fsync = DEFAULT_FSYNC;
  }

  public FileStorageOptions(FileStorageOptions other) {
    filePath = other.filePath;
    saveIntervalMs = other.saveIntervalMs;
    compactMinBytes = other.compactMinBytes;
    compactRatio = other.compactRatio;
    fsync = other.fsync;
  }

  public FileStorageOptions(JsonObject json) {
    this();
    setFilePath(json.getString("file_path", DEFAULT_FILE_PATH));
    setSaveIntervalMs(json.getLong("save_interval_ms", DEFAULT_SAVE_INTERVAL_MS));
    setCompactMinBytes(json.getLong("compact_min_bytes", DEFAULT_COMPACT_MIN_BYTES));
    setCompactRatio(json.getDouble("compact_ratio", DEFAULT_COMPACT_RATIO));
    setFsync(json.getBoolean("fsync", DEFAULT_FSYNC));
  }

  public String getFilePath() {
    return filePath;
  }

  public FileStorageOptions setFilePath(String filePath) {
    if (filePath == null || filePath.isEmpty()) {
      throw new IllegalArgumentException("file_path must be a directory path");
    }
    this.filePath = filePath;
    return this;
  }

  public long getSaveIntervalMs() {
    return saveIntervalMs;
  }

  /** Values below {@link #MIN_SAVE_INTERVAL_MS} are raised to it: a check costs a timer tick, not I/O, but not for free. */
  public FileStorageOptions setSaveIntervalMs(long saveIntervalMs) {
    this.saveIntervalMs = Math.max(MIN_SAVE_INTERVAL_MS, saveIntervalMs);
    return this;
  }

  public long getCompactMinBytes() {
    return compactMinBytes;
  }

  public FileStorageOptions setCompactMinBytes(long compactMinBytes) {
    if (compactMinBytes < 0) {
      throw new IllegalArgumentException("compact_min_bytes must be >= 0");
    }
    this.compactMinBytes = compactMinBytes;
    return this;
  }

  public double getCompactRatio() {
    return compactRatio;
  }

  public FileStorageOptions setCompactRatio(double compactRatio) {
    if (!(compactRatio >= 0)) {
      throw new IllegalArgumentException("compact_ratio must be >= 0");
    }
    this.compactRatio = compactRatio;
    return this;
  }

  public boolean isFsync() {
    return fsync;
  }

  public FileStorageOptions setFsync(boolean fsync) {
    this.fsync = fsync;
    return this;
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("file_path", filePath)
        .put("save_interval_ms", saveIntervalMs)
        .put("compact_min_bytes", compactMinBytes)
        .put("compact_ratio", compactRatio)
        .put("fsync", fsync);
  }
}
