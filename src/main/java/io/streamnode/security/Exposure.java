package io.streamnode.security;

import io.streamnode.config.NodeOptions;
import io.streamnode.worker.PublicWorkerSocketOptions;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/**
 * The start-up check: a listener that accepts commands (the HTTP API, the worker socket) bound
 * to anything but loopback must have a token, and the public worker socket an
 * {@code rbac.auth_function_id}, unless the node is started with {@code --insecure}.
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
    // Without an auth function every client that reaches it may connect, register and call
    // whatever expose_functions lists: fine on loopback (a local app's own pages), not on a network.
    PublicWorkerSocketOptions publicSocket = options.getPublicWorkerSocket();
    if (publicSocket.isEnabled() && !isLoopback(publicSocket.getHost()) && publicSocket.getRbac().getAuthFunctionId() == null) {
      open.add("public_worker_socket on " + publicSocket.getHost() + " has no public_worker_socket.rbac.auth_function_id");
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
