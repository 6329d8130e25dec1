package io.streamnode.store.kv;

import io.streamnode.store.StreamStorage;
import io.streamnode.store.event.EventDraft;
import io.streamnode.store.event.GroupPosition;
import io.streamnode.store.event.HistoryOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

class FileStorageTest extends StreamStorageContract {

  @TempDir
  Path dir;

  @Override
  protected Future<StreamStorage> newStorage(Vertx vertx, HistoryOptions history) {
    FileStorage storage = new FileStorage(vertx, new FileStorageOptions().setFilePath(dir.toString()), history);
    return storage.open().map(storage);
  }

  private Future<GroupPosition> writeThree(String group) {
    return storage.set("s", group, "a", 1)
        .compose(v -> storage.publish(EventDraft.custom("s", group, null, System.currentTimeMillis(), "t",
            Json.encodeToBuffer(0))))
        .compose(v -> storage.set("s", group, "b", 2))
        .compose(v -> storage.position("s", group));
  }

  @Test
  void aRestartContinuesEachGroupsEpochAndOffsetsFromTheLog(Vertx vertx, VertxTestContext test) {
    onContext(() -> writeThree("g").compose(before -> storage.close()
        .compose(v -> newStorage(vertx))
        .compose(reopened -> {
          storage = reopened;
          return storage.position("s", "g");
        })
        .compose(after -> storage.set("s", "g", "c", 3).compose(v -> storage.position("s", "g")).map(next -> {
          test.verify(() -> {
            assertEquals(3, before.offset());
            assertEquals(before, after, "the same epoch and offset after the restart");
            assertEquals(before.next(), next, "the next write continues it");
          });
          return null;
        }))))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void aRestartContinuesEachGroupsEpochAndOffsetsFromTheSnapshot(Vertx vertx, VertxTestContext test) {
    onContext(() -> writeThree("g").compose(before -> ((FileStorage) storage).compact()
        .compose(v -> storage.close())
        .compose(v -> newStorage(vertx))
        .compose(reopened -> {
          storage = reopened;
          return storage.position("s", "g");
        })
        .map(after -> {
          test.verify(() -> assertEquals(before, after, "the snapshot holds the position"));
          return null;
        })))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void aWriteWhoseLogRecordCannotBeWrittenIsNotLeftVisible(Vertx vertx, VertxTestContext test) throws Exception {
    // The next log generation's file is taken, so the rotation queued by compact() fails, and with
    // it the write queued behind it: applied to the working copy already, it must be taken back.
    java.nio.file.Files.createSymbolicLink(dir.resolve("log.1.jsonl"), Path.of("/dev/full"));
    FileStorage file = (FileStorage) storage;
    onContext(() -> storage.set("s", "g", "a", 1)
        .compose(v -> storage.position("s", "g"))
        .compose(before -> {
          file.compact();
          return storage.set("s", "g", "a", 2).transform(failed -> {
            test.verify(() -> org.junit.jupiter.api.Assertions.assertTrue(failed.failed(), "the write fails"));
            return storage.get("s", "g", "a");
          })
          .compose(value -> storage.position("s", "g").map(after -> {
            test.verify(() -> {
              assertEquals(1, value, "the failed write is not served");
              assertEquals(before, after, "nor its position");
            });
            return null;
          }));
        }))
        .compose(v -> onContext(() -> storage.close().otherwiseEmpty()))
        .onComplete(test.succeeding(v -> {
          storage = new MemoryStorage(); // closed by the contract's @AfterEach
          test.completeNow();
        }));
  }
}
