package io.streamnode.testing;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Starts nodes for tests: every listener on a free port (port 0), everything else at its default. */
public final class TestNodes {

  private TestNodes() {
  }

  /** Default options with every listener (stream socket, worker socket, HTTP API) on a free port. */
  public static NodeOptions options() {
    NodeOptions options = new NodeOptions();
    options.getStreamSocket().setPort(0);
    options.getWorkerSocket().setPort(0);
    options.getHttpApi().setPort(0);
    return options;
  }

  /** A node with {@link #options()}. */
  public static Future<StreamNode> start(Vertx vertx) {
    return start(vertx, options());
  }

  /** A node with the given options; start from {@link #options()} to keep the ports free. */
  public static Future<StreamNode> start(Vertx vertx, NodeOptions options) {
    return StreamNode.start(vertx, options);
  }
}
