package io.streamnode.store.kv;

import io.streamnode.store.StreamStorage;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class FileStorageTest extends StreamStorageContract {

  @TempDir
  Path dir;

  @Override
  protected Future<StreamStorage> newStorage(Vertx vertx) {
    FileStorage storage = new FileStorage(vertx, new FileStorageOptions().setFilePath(dir.toString()));
    return storage.open().map(storage);
  }
}
