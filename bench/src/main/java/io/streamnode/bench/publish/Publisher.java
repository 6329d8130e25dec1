package io.streamnode.bench.publish;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;

/**
 * How the load generator writes to a server. streamnode, the ceiling and Socket.IO take iii's
 * stream functions ({@link FunctionCallPublisher}: {@link HttpFunctionPublisher}, and
 * {@link WorkerSocketPublisher} for streamnode's worker socket); the pub/sub peers take a
 * publish to the channel that stands for the group ({@link NchanPublisher},
 * {@link CentrifugoPublisher}).
 */
public interface Publisher {

  /** {@code stream::set} (or the peer's publish): the item's new value is {@code data} (encoded JSON). */
  Future<Void> set(String stream, String group, String item, Buffer data);

  /**
   * {@code stream::update}: one {@code set} op of {@code path} to {@code value} (encoded JSON).
   * A pub/sub peer has no items to patch: it fails (the write-heavy scenario is streamnode's only).
   */
  default Future<Void> update(String stream, String group, String item, String path, Buffer value) {
    return Future.failedFuture(getClass().getSimpleName() + " publishes whole messages only, no stream::update");
  }

  Future<Void> close();
}
