package io.streamnode.store.event;

import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;

/**
 * Where a group's history stands: {@code epoch} names one continuous history of the group and
 * {@code offset} counts its events (1 for the first; 0 before any). The offset grows by exactly one
 * per event of the group, and the epoch changes only when continuity is lost (a new node start
 * with the in-memory kv store, a Redis that lost its counters, a group that was emptied away), so
 * two positions of the same epoch tell exactly which events lie between them.
 */
public record GroupPosition(String epoch, long offset) implements java.io.Serializable {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz".toCharArray();

  public GroupPosition {
    if (epoch == null || epoch.isEmpty()) {
      throw new IllegalArgumentException("a position needs an epoch");
    }
  }

  /**
   * The epoch of a group that does not exist (no data, no history): its first event will be
   * offset 1 of whatever epoch it starts, so a subscriber at {@link #NONE} accepts exactly that.
   * Random epochs never equal it (they are 12 characters).
   */
  public static final String NO_EPOCH = "0";

  /** The position of a group that does not exist. */
  public static final GroupPosition NONE = new GroupPosition(NO_EPOCH, 0);

  /** Whether this is {@link #NONE}. */
  public boolean isNone() {
    return NO_EPOCH.equals(epoch);
  }

  /**
   * Whether an event at {@code event} directly follows this position: the next offset of the same
   * epoch, or the first event of any epoch after {@link #NONE}.
   */
  public boolean isFollowedBy(GroupPosition event) {
    return epoch.equals(event.epoch()) ? event.offset() == offset + 1 : isNone() && event.offset() == 1;
  }

  /** A new, practically unique epoch: 12 random base-36 characters (62 bits). */
  public static String newEpoch() {
    char[] out = new char[12];
    for (int i = 0; i < out.length; i++) {
      out[i] = ALPHABET[RANDOM.nextInt(ALPHABET.length)];
    }
    return new String(out);
  }

  /** The start of a new history: a fresh epoch, offset 0. */
  public static GroupPosition fresh() {
    return new GroupPosition(newEpoch(), 0);
  }

  /** The position of the event after this one. */
  public GroupPosition next() {
    return new GroupPosition(epoch, offset + 1);
  }

  /** {@code {"epoch": "...", "offset": N}}, as clients see it. */
  public JsonObject toJson() {
    return new JsonObject().put("epoch", epoch).put("offset", offset);
  }

  /**
   * A client's position ({@code since} of a join), or {@code null} when it is not an object with a
   * non-empty string {@code epoch} and a whole, non-negative number {@code offset}.
   */
  public static GroupPosition parse(Object json) {
    if (!(json instanceof JsonObject o)) {
      return null;
    }
    Object epoch = o.getValue("epoch");
    Object offset = o.getValue("offset");
    if (!(epoch instanceof String e) || e.isEmpty() || e.length() > 64) {
      return null;
    }
    if (!(offset instanceof Integer || offset instanceof Long) || ((Number) offset).longValue() < 0) {
      return null;
    }
    return new GroupPosition(e, ((Number) offset).longValue());
  }

  @Override
  public String toString() {
    return epoch + "/" + offset;
  }
}
