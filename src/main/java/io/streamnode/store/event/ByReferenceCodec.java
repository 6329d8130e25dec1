package io.streamnode.store.event;

import io.vertx.core.eventbus.MessageCodec;

/**
 * An event-bus codec for an immutable value: on one node the value itself is handed over (no
 * copy); between nodes the subclass says how it goes on the wire.
 *
 * @param <T> the value's type
 */
abstract class ByReferenceCodec<T> implements MessageCodec<T, T> {

  private final String name;

  ByReferenceCodec(String name) {
    this.name = name;
  }

  @Override
  public final T transform(T value) {
    return value;
  }

  @Override
  public final String name() {
    return name;
  }

  @Override
  public final byte systemCodecID() {
    return -1;
  }
}
