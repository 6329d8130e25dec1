package io.streamnode.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Listen ports for servers a test must name before they start (Hazelcast members, node processes,
 * redis-server). A port from {@code new ServerSocket(0)} lies in the kernel's ephemeral range, so
 * between the probe and the real bind any outgoing connection of this machine (a WebSocket client,
 * a Hazelcast join) may take it as its local port; CI once lost a run to exactly that. These ports
 * come from below the ephemeral range, where only listeners bind, and are never handed out twice
 * in one JVM.
 */
public final class FreePorts {

  private static final int LOWEST = 20_000;
  private static final int ABOVE = ephemeralLow();
  private static final AtomicInteger NEXT =
      new AtomicInteger(LOWEST + ThreadLocalRandom.current().nextInt(Math.max(1, ABOVE - LOWEST)));

  private FreePorts() {
  }

  /** A loopback port below the ephemeral range that nothing listens on right now. */
  public static int listenPort() {
    for (int tries = 0; tries < ABOVE - LOWEST; tries++) {
      int port = LOWEST + Math.floorMod(NEXT.getAndIncrement() - LOWEST, ABOVE - LOWEST);
      if (bindable(port)) {
        return port;
      }
    }
    throw new IllegalStateException("no free port in " + LOWEST + ".." + (ABOVE - 1));
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static int ephemeralLow() {
    try {
      String range = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim();
      return Math.max(LOWEST + 1000, Integer.parseInt(range.split("\\s+")[0]));
    } catch (IOException | RuntimeException e) {
      return 32_768; // Linux's default low end
    }
  }
}
