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

  final LinkedHashMap<String, String> items = new LinkedHashMap<>();
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

  /** Drops events made before {@code oldest}. */
  void prune(long oldest) {
    while (!history.isEmpty() && history.peekFirst().timestamp() < oldest) {
      history.removeFirst();
    }
  }
}
