package io.streamnode.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Polling with a bound, for tests that block the test thread: the condition is checked until it
 * holds, and the test fails with what was being waited for if it never does (never a fixed sleep
 * that a slow machine outlasts, never an unbounded wait). Bounds are generous (a loaded CI machine is slow, not wrong);
 * exact timing belongs to the benchmark.
 */
public final class Await {

  /** How long a test waits for something that should happen at once. */
  public static final Duration DEFAULT = Duration.ofSeconds(10);

  private Await() {
  }

  /** Polls {@code condition} every 20 ms until it holds, failing with {@code what} after {@link #DEFAULT}. */
  public static void until(String what, BooleanSupplier condition) {
    until(what, DEFAULT, condition, () -> "");
  }

  /** Polls {@code condition} every 20 ms until it holds, failing with {@code what} and {@code state} after {@code bound}. */
  public static void until(String what, Duration bound, BooleanSupplier condition, Supplier<String> state) {
    long deadline = System.nanoTime() + bound.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        fail("not within " + bound.toMillis() + " ms: " + what + " " + state.get());
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted while waiting: " + what);
      }
    }
  }
}
