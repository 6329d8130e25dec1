package io.streamnode.store.kv;

import io.streamnode.store.StreamStorage;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What survives a close and reopen of a {@link FileStorage} directory, torn records and compactions included. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class FileStorageRecoveryTest {

  @TempDir
  Path dir;
  private Vertx vertx;
  private Context context;

  @BeforeEach
  void setUp(Vertx vertx) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
  }

  private FileStorageOptions options() {
    // No timer-driven compaction unless a test asks for it.
    return new FileStorageOptions().setFilePath(dir.toString()).setSaveIntervalMs(3_600_000);
  }

  private Future<FileStorage> open(FileStorageOptions options) {
    FileStorage storage = new FileStorage(vertx, options);
    return storage.open().map(storage);
  }

  private <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(result));
    return result.future();
  }

  @Test
  void aReopenedStorageHasTheSameItemsInTheSameOrder(VertxTestContext test) {
    onContext(() -> open(options()).compose(storage -> storage.set("s", "g", "a", new JsonObject().put("n", 1))
            .compose(v -> storage.set("s", "g", "b", null))
            .compose(v -> storage.set("s", "g", "c", "c1"))
            .compose(v -> storage.set("s", "g", "a", new JsonObject().put("n", 2)))
            .compose(v -> storage.delete("s", "g", "b"))
            .compose(v -> storage.set("s", "g", "b", null))
            .compose(v -> storage.set("s", "other", "x", 3.5))
            .compose(v -> storage.set("t", "gone", "y", 1))
            .compose(v -> storage.delete("t", "gone", "y"))
            .compose(v -> storage.close()))
        .compose(v -> open(options()))
        .compose(reopened -> reopened.list("s", "g")
            .compose(values -> {
              test.verify(() -> assertEquals(List.of(new JsonObject().put("n", 2), "c1"), values.subList(0, 2)));
              test.verify(() -> assertNull(values.get(2)));
              return reopened.get("s", "g", "b");
            })
            .compose(b -> {
              test.verify(() -> assertNull(b, "a stored null comes back as null, not ABSENT"));
              return reopened.get("s", "other", "x");
            })
            .compose(x -> {
              test.verify(() -> assertEquals(3.5, x));
              return reopened.listAll();
            })
            .compose(all -> {
              test.verify(() -> assertEquals(List.of("s"), List.copyOf(all.keySet())));
              test.verify(() -> assertEquals(List.of("g", "other"), List.copyOf(all.get("s"))));
              return reopened.close();
            })))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void aTornLastLineIsIgnoredAndCutOff(VertxTestContext test) throws Exception {
    Path log = dir.resolve("log.0.jsonl");
    long[] goodSize = {0};
    onContext(() -> open(options()).compose(storage -> storage.set("s", "g", "a", 1)
            .compose(v -> storage.set("s", "g", "b", 2))
            .compose(v -> storage.close())))
        .compose(v -> {
          // What a kill in the middle of a write leaves: a record without its end and newline.
          try {
            goodSize[0] = Files.size(log);
            Files.write(log, "{\"op\":\"set\",\"s\":\"s\",\"g\":\"g\",\"i\":\"torn\",\"v\":{\"x\"".getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.APPEND);
          } catch (Exception e) {
            return Future.failedFuture(e);
          }
          return onContext(() -> open(options()));
        })
        .compose(reopened -> reopened.get("s", "g", "torn").compose(torn -> {
          test.verify(() -> {
            assertSame(StreamStorage.ABSENT, torn);
            assertEquals(goodSize[0], Files.size(log), "the torn tail is truncated away");
          });
          return reopened.set("s", "g", "c", 3);
        }).compose(v -> reopened.close()))
        .compose(v -> onContext(() -> open(options())))
        .compose(again -> again.list("s", "g").compose(values -> {
          test.verify(() -> assertEquals(List.of(1, 2, 3), values, "a write after the cut lands on a line boundary"));
          return again.close();
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void compactionShrinksTheLogAndKeepsTheData(VertxTestContext test) {
    String pad = "x".repeat(200);
    long[] before = {0};
    onContext(() -> open(options()).compose(storage -> {
      // 2000 overwrites of 20 items: a log of ~500 KB for a state of ~5 KB.
      Future<Object> writes = Future.succeededFuture();
      for (int i = 0; i < 2000; i++) {
        int n = i;
        writes = writes.compose(v -> storage.set("s", "g", "k" + (n % 20), new JsonObject().put("n", n).put("pad", pad)));
      }
      return writes.compose(v -> {
        before[0] = storage.logBytes();
        return storage.compact();
      }).compose(v -> {
        test.verify(() -> {
          assertEquals(0, storage.logBytes());
          assertEquals(List.of(dir.resolve("log.1.jsonl")), logFiles());
          long snapshot = Files.size(dir.resolve("snapshot.jsonl"));
          assertTrue(before[0] > 400_000 && snapshot < 10_000, "log " + before[0] + " B, snapshot " + snapshot + " B");
          System.out.println("compaction: log " + before[0] + " B -> snapshot " + snapshot + " B");
        });
        return storage.set("s", "g", "after", 1);
      }).compose(v -> storage.close());
    }))
        .compose(v -> onContext(() -> open(options())))
        .compose(reopened -> reopened.list("s", "g").compose(values -> {
          test.verify(() -> {
            assertEquals(21, values.size());
            for (int k = 0; k < 20; k++) {
              assertEquals(1980 + k, ((JsonObject) values.get(k)).getInteger("n"), "item k" + k + " keeps its last value and place");
            }
            assertEquals(1, values.get(20));
          });
          return reopened.close();
        }))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void compactionRunsOnTheSaveIntervalOnceTheLogCrossesTheThresholds(VertxTestContext test) {
    FileStorageOptions options = options().setSaveIntervalMs(100).setCompactMinBytes(10_000).setCompactRatio(2.0);
    onContext(() -> open(options).compose(storage -> {
      Future<Object> writes = Future.succeededFuture();
      for (int i = 0; i < 500; i++) {
        int n = i;
        writes = writes.compose(v -> storage.set("s", "g", "k" + (n % 5), n));
      }
      return writes.map(storage);
    })).onComplete(test.succeeding(storage -> {
      long deadline = System.currentTimeMillis() + 20_000; // what matters is the thresholds: the default 8 MB would never compact this log
      vertx.setPeriodic(50, id -> {
        if (Files.exists(dir.resolve("snapshot.jsonl")) && storage.logBytes() == 0) {
          vertx.cancelTimer(id);
          storage.close().onComplete(test.succeedingThenComplete());
        } else if (System.currentTimeMillis() > deadline) {
          vertx.cancelTimer(id);
          test.failNow("no compaction within 20 s; log bytes " + storage.logBytes());
        }
      });
    }));
  }

  @Test
  void writesRacingACompactionAreKept(VertxTestContext test) {
    int prefill = 20_000;
    int[] racing = {0};
    onContext(() -> open(options()).compose(storage -> {
      List<Future<Object>> fill = new ArrayList<>();
      for (int i = 0; i < prefill; i++) {
        fill.add(storage.set("s", "g" + (i % 50), "k" + i, new JsonObject().put("n", i)));
      }
      return Future.all(fill).compose(v -> {
        // Writes queued in the same turn as the compaction, on both sides of its rotation point...
        List<Future<Object>> sameTurn = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
          sameTurn.add(storage.set("race", "before", "k" + i, i));
        }
        Future<Void> compaction = storage.compact();
        for (int i = 0; i < 100; i++) {
          sameTurn.add(storage.set("race", "after", "k" + i, i));
          sameTurn.add(storage.delete("s", "g" + (i % 50), "k" + i));
        }
        // ...and a chain of writes for as long as the snapshot is being written.
        Promise<Void> chainDone = Promise.promise();
        writeWhileCompacting(storage, compaction, racing, chainDone);
        return Future.all(sameTurn).compose(x -> compaction).compose(x -> chainDone.future());
      }).compose(v -> storage.close());
    }))
        .compose(v -> onContext(() -> open(options())))
        .compose(reopened -> reopened.list("race", "before")
            .compose(before -> {
              test.verify(() -> assertEquals(100, before.size()));
              return reopened.list("race", "after");
            })
            .compose(after -> {
              test.verify(() -> assertEquals(100, after.size()));
              return reopened.list("race", "chain");
            })
            .compose(chain -> {
              test.verify(() -> {
                // A compaction that finished before the chain's first write would leave nothing raced.
                assertTrue(racing[0] > 0, "no write was made while the snapshot was written: nothing raced");
                assertEquals(racing[0], chain.size());
                System.out.println("writes acknowledged while the snapshot was written: " + racing[0]);
              });
              return reopened.get("s", "g0", "k0");
            })
            .compose(deleted -> {
              test.verify(() -> assertSame(StreamStorage.ABSENT, deleted));
              return reopened.get("s", "g" + (19_999 % 50), "k19999");
            })
            .compose(kept -> {
              test.verify(() -> assertEquals(new JsonObject().put("n", 19_999), kept));
              return reopened.close();
            }))
        .onComplete(test.succeedingThenComplete());
  }

  private static void writeWhileCompacting(FileStorage storage, Future<Void> compaction, int[] count, Promise<Void> done) {
    if (compaction.isComplete() || count[0] >= 100_000) {
      done.complete();
      return;
    }
    int n = count[0]++;
    storage.set("race", "chain", "k" + n, n).onComplete(ar -> {
      if (ar.failed()) {
        done.fail(ar.cause());
      } else {
        writeWhileCompacting(storage, compaction, count, done);
      }
    });
  }

  private List<Path> logFiles() throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().startsWith("log.")).sorted().toList();
    }
  }
}
