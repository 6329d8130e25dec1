package io.streamnode.socket;

import io.netty.channel.EventLoop;

import java.util.ArrayList;
import java.util.List;

/**
 * The sockets of one event loop that have frames written but not yet flushed. A fan-out writes to
 * each subscriber without a system call; one task, queued behind whatever the event loop already
 * has to run, then flushes each of them once. Under light load that is still one {@code write(2)}
 * per socket per event; when events queue up (near saturation) every event delivered before the
 * task runs leaves in the same system call, so the cost per event falls as the load rises.
 */
final class DeferredFlush implements Runnable {

  private final EventLoop eventLoop;
  private final List<StreamSocket> dirty = new ArrayList<>();
  private boolean scheduled;

  DeferredFlush(EventLoop eventLoop) {
    this.eventLoop = eventLoop;
  }

  /** Remembers a socket that has unflushed frames; called once per socket until it is flushed. */
  void add(StreamSocket socket) {
    dirty.add(socket);
    if (!scheduled) {
      scheduled = true;
      eventLoop.execute(this);
    }
  }

  @Override
  public void run() {
    scheduled = false;
    // Size re-read each time: a socket added while flushing is flushed in this pass too.
    for (int i = 0; i < dirty.size(); i++) {
      dirty.get(i).flush();
    }
    dirty.clear();
  }
}
