package io.streamnode.store.event;

import io.vertx.core.buffer.Buffer;

import java.util.List;

/**
 * The store's answer to a resuming subscription ({@code StoreAddresses.RECOVER}): the group's (or
 * item's) events after the client's position, up to {@code last}, or {@code recovered == false}
 * when the history no longer holds them all. Passed by reference on the node that asked (the
 * events, and the position frames they build once, are shared by every client resuming at once).
 */
public record Recovery(boolean recovered, GroupPosition last, List<StreamEvent> events) {

  /** The history does not hold every event the client missed: it needs a full sync. */
  public static final Recovery NOT_RECOVERED = new Recovery(false, null, List.of());

  /** Event-bus codec for a {@link Recovery}: this node only (the store serves it to local gateways). */
  public static final class LocalCodec extends ByReferenceCodec<Recovery> {

    public static final String NAME = "streamnode.recovery";

    public LocalCodec() {
      super(NAME);
    }

    @Override
    public void encodeToWire(Buffer buffer, Recovery recovery) {
      throw new UnsupportedOperationException("a Recovery never leaves its node");
    }

    @Override
    public Recovery decodeFromWire(int pos, Buffer buffer) {
      throw new UnsupportedOperationException("a Recovery never leaves its node");
    }
  }
}
