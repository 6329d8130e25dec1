package io.streamnode.worker;

import io.streamnode.StreamNode;
import io.streamnode.config.NodeOptions;
import io.streamnode.http.HttpApiOptions;
import io.streamnode.socket.StreamSocketOptions;
import io.vertx.core.Vertx;

/** Nodes for worker tests: every listener on a free port, no HTTP API unless asked. */
final class TestNodes {

  private TestNodes() {
  }

  static NodeOptions options() {
    NodeOptions options = new NodeOptions()
        .setStreamSocket(new StreamSocketOptions().setPort(0))
        .setWorkerSocket(new WorkerSocketOptions().setPort(0))
        .setHttpApi(new HttpApiOptions().setEnabled(false));
    // Long enough that a raw worker answering from a test thread is never timed out by a stall of
    // a loaded machine; a test of the timeout itself sets a short one.
    options.getLimits().setCallTimeoutMs(15_000);
    return options;
  }

  static StreamNode start(Vertx vertx, NodeOptions options) {
    return StreamNode.start(vertx, options).await();
  }
}
