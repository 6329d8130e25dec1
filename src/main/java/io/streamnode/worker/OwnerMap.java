package io.streamnode.worker;

import java.util.HashMap;
import java.util.Map;

/**
 * Which connection owns a function id or a trigger id. The last registration wins, as in iii;
 * a connection only releases what it still owns, so an old connection going away never removes
 * what a newer one took over. Confined to the worker socket's event loop.
 */
final class OwnerMap {

  private final Map<String, WorkerConnection> owners = new HashMap<>();

  /** Makes {@code owner} the owner of {@code id}; returns the previous owner or {@code null}. */
  WorkerConnection claim(String id, WorkerConnection owner) {
    return owners.put(id, owner);
  }

  /** Releases {@code id} if {@code owner} still owns it; returns whether it did. */
  boolean release(String id, WorkerConnection owner) {
    return owners.remove(id, owner);
  }

  /** Releases {@code id} whoever owns it; returns the owner or {@code null}. */
  WorkerConnection remove(String id) {
    return owners.remove(id);
  }

  WorkerConnection owner(String id) {
    return owners.get(id);
  }
}
