package io.streamnode.security;

import io.streamnode.config.LimitsOptions;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Admission of WebSocket connections on one node, shared by every listener and event loop:
 * at most {@code limits.max_connections} open at once, and at most
 * {@code limits.max_connections_per_ip} from one address (0: no per-address limit). A refused
 * upgrade is answered 503 by the listener.
 */
public final class ConnectionLimits {

  private final int maxConnections;
  private final int maxPerIp;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<String, AtomicInteger> perIp = new ConcurrentHashMap<>();

  public ConnectionLimits(LimitsOptions limits) {
    this.maxConnections = limits.getMaxConnections();
    this.maxPerIp = limits.getMaxConnectionsPerIp();
  }

  /**
   * Takes a slot for a connection from {@code ip}; {@code null} when admitted (call
   * {@link #release} once it closes), else why it was refused.
   */
  public String tryAcquire(String ip) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      return "the node holds limits.max_connections (" + maxConnections + ") connections";
    }
    if (maxPerIp > 0) {
      AtomicInteger count = perIp.computeIfAbsent(ip, k -> new AtomicInteger());
      if (count.incrementAndGet() > maxPerIp) {
        count.decrementAndGet();
        open.decrementAndGet();
        return ip + " holds limits.max_connections_per_ip (" + maxPerIp + ") connections";
      }
    }
    return null;
  }

  /** Frees the slot of a closed connection admitted by {@link #tryAcquire}. */
  public void release(String ip) {
    open.decrementAndGet();
    if (maxPerIp > 0) {
      perIp.computeIfPresent(ip, (k, count) -> count.decrementAndGet() <= 0 ? null : count);
    }
  }

  /** Open files a node needs besides its connections: jars, logs, listeners, the cluster's sockets. */
  static final long OTHER_OPEN_FILES = 1024;

  /**
   * Why {@code limits.max_connections} cannot be reached under this process's open-files limit
   * (each connection is one open file; beyond the limit the kernel refuses new ones), or
   * {@code null} when it can or the limit is unknown ({@code maxOpenFiles <= 0}).
   */
  public static String openFilesShortfall(LimitsOptions limits, long maxOpenFiles) {
    int maxConnections = limits.getMaxConnections();
    if (maxOpenFiles <= 0 || maxOpenFiles >= maxConnections + OTHER_OPEN_FILES) {
      return null;
    }
    return "this process may open at most " + maxOpenFiles + " files (ulimit -n), so about "
        + Math.max(0, maxOpenFiles - OTHER_OPEN_FILES) + " connections fit, fewer than limits.max_connections ("
        + maxConnections + "): raise the limit (ulimit -n, LimitNOFILE= under systemd, --ulimit nofile= in Docker)"
        + " to at least " + (maxConnections + OTHER_OPEN_FILES) + ", or lower limits.max_connections";
  }

  /** Connections open now. */
  public int open() {
    return open.get();
  }
}
