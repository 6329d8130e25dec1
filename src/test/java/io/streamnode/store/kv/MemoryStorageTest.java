package io.streamnode.store.kv;

import io.streamnode.store.StreamStorage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

class MemoryStorageTest extends StreamStorageContract {

  @Override
  protected Future<StreamStorage> newStorage(Vertx vertx) {
    MemoryStorage storage = new MemoryStorage();
    return storage.open().map(storage);
  }
}
