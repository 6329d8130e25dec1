package io.streamnode.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * The messages one {@code java.util.logging} logger receives while this is open: how a test waits
 * for what the node says it did (a cleanup, a drop, a refusal) instead of sleeping.
 */
public final class LogLines implements AutoCloseable {

  private final Logger logger;
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final Handler handler = new Handler() {
    @Override
    public void publish(LogRecord record) {
      messages.add(record.getMessage());
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
  };

  private LogLines(Logger logger) {
    this.logger = logger;
    logger.addHandler(handler);
  }

  /** Starts keeping what the logger named {@code loggerName} (a class's name, usually) receives. */
  public static LogLines of(String loggerName) {
    return new LogLines(Logger.getLogger(loggerName));
  }

  /** Every message so far, in order (a live view). */
  public List<String> messages() {
    return messages;
  }

  /** Whether any message so far matches. */
  public boolean any(Predicate<String> match) {
    return messages.stream().anyMatch(match);
  }

  /** Stops keeping messages. */
  @Override
  public void close() {
    logger.removeHandler(handler);
  }
}
