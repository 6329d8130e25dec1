package io.streamnode.bench.client;

/**
 * The channel of a pub/sub peer (Nchan, Centrifugo) that stands for one group of a stream: a
 * peer has channels, not streams, groups and items, so one channel is one group. The subscriber
 * protocols and the publishers of those peers both name channels here, so they agree.
 */
public final class PubSubChannel {

  private PubSubChannel() {
  }

  /**
   * {@code stream.group}: characters both peers take as they are in a channel name and in a URL
   * path (Centrifugo reads {@code :} as a namespace separator, so not that).
   */
  public static String of(String stream, String group) {
    return stream + "." + group;
  }

  /** Peers have no item-level subscription: the bench never asks one of them for it. */
  static void requireGroupLevel(String server, String item) {
    if (item != null) {
      throw new IllegalArgumentException(server + " has channels, not items: no item-level subscription (item " + item + ")");
    }
  }
}
