package io.streamnode.store.redis;

import java.util.logging.Logger;

/**
 * Whether this node can use Redis: its command connections answer and its event relay is
 * subscribed. Logs the loss once and the recovery once, however many calls fail in between.
 * Confined to the store's context.
 */
final class RedisHealth {

  private static final Logger LOG = Logger.getLogger(RedisStorage.class.getName());

  private final String url;
  private boolean commands = true;
  private boolean relay = true;

  RedisHealth(String url) {
    this.url = url;
  }

  boolean up() {
    return commands && relay;
  }

  void commands(boolean ok, Throwable cause) {
    boolean before = up();
    commands = ok;
    changed(before, cause);
  }

  void relay(boolean ok, Throwable cause) {
    boolean before = up();
    relay = ok;
    changed(before, cause);
  }

  private void changed(boolean before, Throwable cause) {
    if (before && !up()) {
      LOG.warning("redis: lost " + url + (cause == null ? "" : " (" + RedisStorage.describe(cause) + ")")
          + "; stream functions fail and no events flow until it is back");
    } else if (!before && up()) {
      LOG.info("redis: " + url + " is back; commands answer and the event relay is subscribed");
    }
  }
}
