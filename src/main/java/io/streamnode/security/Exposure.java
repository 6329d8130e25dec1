package io.streamnode.security;

import io.streamnode.config.NodeOptions;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The start-up check: a listener that accepts commands (the HTTP API, the worker socket) bound
 * to anything but loopback must have a token, unless the node is started with
 * {@code --insecure}.
 */
public final class Exposure {

  private Exposure() {
  }

  /** The listeners reachable from other machines without a token, as human-readable lines. */
  public static List<String> unprotected(NodeOptions options) {
    List<String> open = new ArrayList<>();
    if (options.getHttpApi().isEnabled() && !isLoopback(options.getHttpApi().getHost())
        && !BearerToken.of(options.getHttpApi().getToken(), options.getHttpApi().getTokenFile(), "http_api.token").required()) {
      open.add("http_api on " + options.getHttpApi().getHost() + " has no http_api.token");
    }
    if (!isLoopback(options.getWorkerSocket().getHost())
        && !BearerToken.of(options.getWorkerSocket().getToken(), options.getWorkerSocket().getTokenFile(),
            "worker_socket.token").required()) {
      open.add("worker_socket on " + options.getWorkerSocket().getHost() + " has no worker_socket.token");
    }
    return open;
  }

  /** Whether {@code host} names only loopback interfaces ({@code 127.0.0.0/8}, {@code ::1}, localhost). */
  public static boolean isLoopback(String host) {
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
