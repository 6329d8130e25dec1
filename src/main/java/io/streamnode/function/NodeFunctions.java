package io.streamnode.function;

import java.util.Set;

/**
 * The function ids the node itself serves: the eight {@code stream::*} functions, {@code publish}
 * and everything under {@code streamnode::}. A worker cannot register one of them: two handlers at
 * one event-bus address would each get every other call, so half of all {@code stream::set}s
 * would silently go to the worker. (A custom stream implementation, {@code stream::set(<stream>)},
 * is a different id and is how a worker takes over a stream's storage.)
 */
public final class NodeFunctions {

  private static final Set<String> IDS = Set.of("stream::set", "stream::get", "stream::delete", "stream::update",
      "stream::list", "stream::list_groups", "stream::list_all", "stream::send", "publish");

  /** Prefix of the node's own functions outside iii's namespace (presence, members...). */
  public static final String OWN_PREFIX = "streamnode::";

  private NodeFunctions() {
  }

  /** Whether {@code id} is served by the node itself. */
  public static boolean served(String id) {
    return IDS.contains(id) || id.startsWith(OWN_PREFIX);
  }
}
