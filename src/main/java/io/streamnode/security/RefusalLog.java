package io.streamnode.security;

import io.vertx.core.net.SocketAddress;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs refused requests and connections (a bad token, a foreign origin, too many connections)
 * and ignored bad input (malformed frames):
 * one line per refusal, with the remote address, but no more than {@code perSecond} lines a
 * second, so that a flood of bad requests cannot fill a disk. Refusals past the budget are
 * counted and the count is reported on the next line that is written.
 */
public final class RefusalLog {

  /** Lines per second each listener may write about refusals. */
  public static final int DEFAULT_LINES_PER_SECOND = 10;

  private final Logger log;
  private final int perSecond;
  private long windowStart;
  private int inWindow;
  private long suppressed;

  public RefusalLog(Logger log) {
    this(log, DEFAULT_LINES_PER_SECOND);
  }

  public RefusalLog(Logger log, int perSecond) {
    this.log = log;
    this.perSecond = perSecond;
  }

  /**
   * Records one refusal.
   *
   * @param listener e.g. {@code "http api"}
   * @param remote the caller's address (may be {@code null})
   * @param why what was refused and why, e.g. {@code "401: missing or wrong bearer token"}
   */
  public void refused(String listener, SocketAddress remote, String why) {
    note(Level.WARNING, listener + ": refused " + (remote == null ? "?" : remote.hostAddress()) + ", " + why);
  }

  /** Logs a line about bad input (an ignored frame...) within the same budget as refusals. */
  public void note(Level level, String text) {
    String line;
    synchronized (this) {
      long now = System.nanoTime();
      if (now - windowStart >= 1_000_000_000L) {
        windowStart = now;
        inWindow = 0;
      }
      if (inWindow >= perSecond) {
        suppressed++;
        return;
      }
      inWindow++;
      line = text + (suppressed > 0 ? " (" + suppressed + " earlier lines about bad input or refusals not logged)" : "");
      suppressed = 0;
    }
    log.log(level, line);
  }

  /** Refusals counted but not logged since the last line (for tests). */
  public synchronized long suppressed() {
    return suppressed;
  }
}
