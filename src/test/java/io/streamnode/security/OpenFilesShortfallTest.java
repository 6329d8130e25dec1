package io.streamnode.security;

import io.streamnode.config.LimitsOptions;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A node whose open-files limit is below what {@code limits.max_connections} needs says so at
 * start (one file per connection): the 100,000-subscriber benchmark found nodes capped at 19,000
 * by a 20,000-file limit, with nothing in the log but the kernel's refusals.
 */
class OpenFilesShortfallTest {

  @Test
  void aLimitBelowMaxConnectionsIsNamedWithWhatFitsAndWhatToRaise() {
    LimitsOptions limits = new LimitsOptions().setMaxConnections(100_000);
    String why = ConnectionLimits.openFilesShortfall(limits, 20_000);
    assertTrue(why != null && why.contains("at most 20000 files") && why.contains("about 18976 connections fit")
        && why.contains("limits.max_connections (100000)") && why.contains("at least 101024"), why);
  }

  @Test
  void aLimitWithRoomForEveryConnectionOrAnUnknownOneSaysNothing() {
    LimitsOptions limits = new LimitsOptions().setMaxConnections(10_000);
    assertNull(ConnectionLimits.openFilesShortfall(limits, 20_000));
    assertNull(ConnectionLimits.openFilesShortfall(limits, 11_024));
    assertNull(ConnectionLimits.openFilesShortfall(limits, -1));
  }
}
