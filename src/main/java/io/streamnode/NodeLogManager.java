package io.streamnode;

import java.util.logging.LogManager;

/**
 * A JUL log manager that ignores the JDK's own shutdown-time reset, so that the node can still
 * log while it shuts down gracefully; {@link Main} resets it once shutdown is complete.
 */
public class NodeLogManager extends LogManager {

  @Override
  public void reset() {
    // JDK shutdown hook calls this concurrently with ours; the node resets explicitly at the end.
  }

  /** The real reset, called last. */
  void resetNow() {
    super.reset();
  }
}
