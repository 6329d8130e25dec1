package io.streamnode.security;

import io.streamnode.testing.LogLines;
import io.vertx.core.net.SocketAddress;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.logging.Logger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A flood of refusals writes at most a few lines a second, and the next line counts what was left out. */
class RefusalLogTest {

  @Test
  void aFloodOfRefusalsIsLoggedAtMostTenLinesASecondAndCounted() throws Exception {
    Logger logger = Logger.getLogger("refusal-log-test");
    logger.setUseParentHandlers(false);
    LogLines logged = LogLines.of("refusal-log-test");
    List<String> lines = logged.messages();
    RefusalLog log = new RefusalLog(logger);
    SocketAddress remote = SocketAddress.inetSocketAddress(4242, "10.1.2.3");
    long t0 = System.nanoTime();
    for (int i = 0; i < 100_000; i++) {
      log.refused("http api", remote, "401 unauthorized");
    }
    long seconds = (System.nanoTime() - t0) / 1_000_000_000L + 1;
    assertTrue(lines.size() <= 10 * seconds, lines.size() + " lines for 100,000 refusals");
    assertEquals("http api: refused 10.1.2.3, 401 unauthorized", lines.get(0));
    Thread.sleep(1_100);
    log.refused("http api", remote, "401 unauthorized");
    assertTrue(lines.get(lines.size() - 1).contains("earlier lines about bad input or refusals not logged"),
        lines.get(lines.size() - 1));
    logged.close();
  }
}
