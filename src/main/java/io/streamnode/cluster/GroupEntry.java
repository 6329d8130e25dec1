package io.streamnode.cluster;

import java.io.Serializable;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;

/**
 * The value of one group in {@link HazelcastStorage#MAP_NAME}: its items (item id -> JSON text, in
 * insertion order), its position and its recent events. Changed only by entry processors on the
 * partition's thread, and backed up with them, so the position always travels with the data: a
 * new owner of the partition continues the same epoch at the next offset.
 */
final class GroupEntry implements Serializable {

  private static final long serialVersionUID = 1L;

  /** One past event: enough to rebuild it for a resuming client. */
  record PastEvent(String item, long offset, long timestamp, byte[] frame) implements Serializable {
  }

  /**
   * A call this entry applied recently (by call id): what it did, so that the same call sent again
   * after its owner died is answered, not applied twice. {@code value} is the JSON text stored.
   */
  record Applied(String old, String value, long offset, long timestamp) implements Serializable {
  }

  /** Calls kept in {@link #applied}: enough for the calls in flight while an owner dies. */
  static final int APPLIED_CALLS = 256;
  /** How long a call is remembered: well past Hazelcast's failure detection plus a call's retries. */
  static final long APPLIED_MS = 120_000;

  final LinkedHashMap<String, String> items = new LinkedHashMap<>();
  final LinkedHashMap<String, Applied> applied = new LinkedHashMap<>();
  final String epoch;
  long offset;
  final ArrayDeque<PastEvent> history = new ArrayDeque<>();

  GroupEntry(String epoch) {
    this.epoch = epoch;
  }

  /** Takes the next offset for an event and keeps the event within the history bounds. */
  long next(String item, long timestamp, byte[] frame, int historySize, long historyTtlMs) {
    offset++;
    if (historySize > 0 && historyTtlMs > 0) {
      history.addLast(new PastEvent(item, offset, timestamp, frame));
      while (history.size() > historySize) {
        history.removeFirst();
      }
      prune(timestamp - historyTtlMs);
    }
    return offset;
  }

  /** Remembers that call {@code callId} was applied, within the bounds. */
  void applied(String callId, Applied what) {
    applied.put(callId, what);
    java.util.Iterator<Applied> it = applied.values().iterator();
    while (it.hasNext()) {
      Applied a = it.next();
      if (applied.size() <= APPLIED_CALLS && a.timestamp() >= what.timestamp() - APPLIED_MS) {
        break;
      }
      it.remove();
    }
  }

  /** Drops events made before {@code oldest}. */
  void prune(long oldest) {
    while (!history.isEmpty() && history.peekFirst().timestamp() < oldest) {
      history.removeFirst();
    }
  }
}
