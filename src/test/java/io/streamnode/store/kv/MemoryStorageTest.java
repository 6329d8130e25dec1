package io.streamnode.store.kv;

import io.streamnode.store.StreamStorage;
import io.streamnode.store.event.HistoryOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

class MemoryStorageTest extends StreamStorageContract {

  @Override
  protected Future<StreamStorage> newStorage(Vertx vertx, HistoryOptions history) {
    MemoryStorage storage = new MemoryStorage(history);
    return storage.open().map(storage);
  }
}
