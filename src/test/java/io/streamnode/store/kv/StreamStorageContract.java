package io.streamnode.store.kv;

import io.streamnode.store.StreamStorage;
import io.streamnode.store.event.EventDraft;
import io.streamnode.store.event.GroupPosition;
import io.streamnode.store.event.HistoryOptions;
import io.streamnode.store.event.StreamEvent;
import io.vertx.core.json.Json;
import org.junit.jupiter.api.Assumptions;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What every {@link StreamStorage} must do, run against each implementation by a subclass that
 * says how to make an opened one. Every call runs on one context, as the seam requires.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
public abstract class StreamStorageContract {

  private Context context;
  protected StreamStorage storage;

  /** An opened, empty storage; called on the storage's context. */
  protected Future<StreamStorage> newStorage(Vertx vertx) {
    return newStorage(vertx, new HistoryOptions());
  }

  /** An opened, empty storage keeping {@code history}; called on the storage's context. */
  protected abstract Future<StreamStorage> newStorage(Vertx vertx, HistoryOptions history);

  /** Whether the adapter keeps the history a resuming client is given ({@code since}). */
  protected boolean keepsHistory() {
    return true;
  }

  @BeforeEach
  void openStorage(Vertx vertx, VertxTestContext test) {
    context = vertx.getOrCreateContext();
    onContext(() -> newStorage(vertx)).onComplete(test.succeeding(opened -> {
      storage = opened;
      test.completeNow();
    }));
  }

  @AfterEach
  void closeStorage(VertxTestContext test) {
    onContext(() -> storage.close()).onComplete(test.succeedingThenComplete());
  }

  /**
   * Whether {@code list} keeps insertion order (an overwrite keeps the item's place, a re-added
   * item goes last). Adapters that do not define an order (Redis, as iii) answer false, and the
   * order-specific cases then compare the values as a multiset.
   */
  protected boolean keepsInsertionOrder() {
    return true;
  }

  private void assertListed(List<Object> expected, List<Object> actual) {
    if (keepsInsertionOrder()) {
      assertEquals(expected, actual);
    } else {
      assertEquals(expected.size(), actual.size(), "values " + actual);
      assertTrue(actual.containsAll(expected) && expected.containsAll(actual), "values " + actual);
    }
  }

  /** Runs {@code action} on the storage's context. */
  protected <T> Future<T> onContext(Supplier<Future<T>> action) {
    Promise<T> result = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(result));
    return result.future();
  }

  @Test
  void getOfAMissingItemIsAbsent(VertxTestContext test) {
    onContext(() -> storage.get("s", "g", "nope")).onComplete(test.succeeding(value -> test.verify(() -> {
      assertSame(StreamStorage.ABSENT, value);
      test.completeNow();
    })));
  }

  @Test
  void setReturnsThePreviousValueAndGetReturnsTheNewOne(VertxTestContext test) {
    JsonObject first = new JsonObject().put("n", 1);
    JsonObject second = new JsonObject().put("n", 2).put("tags", new JsonArray().add("a"));
    onContext(() -> storage.set("s", "g", "i", first)
        .compose(previous -> {
          test.verify(() -> assertSame(StreamStorage.ABSENT, previous));
          return storage.set("s", "g", "i", second);
        })
        .compose(previous -> {
          test.verify(() -> assertEquals(first, previous));
          return storage.get("s", "g", "i");
        }))
        .onComplete(test.succeeding(value -> test.verify(() -> {
          assertEquals(second, value);
          test.completeNow();
        })));
  }

  @Test
  void aStoredNullIsNotAbsent(VertxTestContext test) {
    onContext(() -> storage.set("s", "g", "i", null)
        .compose(previous -> storage.get("s", "g", "i"))
        .compose(value -> {
          test.verify(() -> assertNull(value));
          return storage.set("s", "g", "i", "x");
        }))
        .onComplete(test.succeeding(previous -> test.verify(() -> {
          assertNull(previous, "the previous value is the stored null, not ABSENT");
          test.completeNow();
        })));
  }

  @Test
  void scalarValuesAreKept(VertxTestContext test) {
    onContext(() -> storage.set("s", "g", "str", "text")
        .compose(v -> storage.set("s", "g", "int", 42))
        .compose(v -> storage.set("s", "g", "bool", true))
        .compose(v -> storage.set("s", "g", "arr", new JsonArray().add(1).add("two")))
        .compose(v -> storage.list("s", "g")))
        .onComplete(test.succeeding(values -> test.verify(() -> {
          assertListed(List.of("text", 42, true, new JsonArray().add(1).add("two")), values);
          test.completeNow();
        })));
  }

  @Test
  void deleteReturnsTheRemovedValueAndLeavesTheItemAbsent(VertxTestContext test) {
    onContext(() -> storage.set("s", "g", "i", "v")
        .compose(v -> storage.delete("s", "g", "i"))
        .compose(removed -> {
          test.verify(() -> assertEquals("v", removed));
          return storage.delete("s", "g", "i");
        })
        .compose(removedAgain -> {
          test.verify(() -> assertSame(StreamStorage.ABSENT, removedAgain));
          return storage.get("s", "g", "i");
        }))
        .onComplete(test.succeeding(value -> test.verify(() -> {
          assertSame(StreamStorage.ABSENT, value);
          test.completeNow();
        })));
  }

  @Test
  void anOverwriteKeepsTheItemsPosition(VertxTestContext test) {
    onContext(() -> storage.set("s", "g", "a", "a1")
        .compose(v -> storage.set("s", "g", "b", "b1"))
        .compose(v -> storage.set("s", "g", "c", "c1"))
        .compose(v -> storage.set("s", "g", "b", "b2"))
        .compose(v -> storage.list("s", "g")))
        .onComplete(test.succeeding(values -> test.verify(() -> {
          assertListed(List.of("a1", "b2", "c1"), values);
          test.completeNow();
        })));
  }

  @Test
  void aDeletedThenSetItemMovesToTheEnd(VertxTestContext test) {
    onContext(() -> storage.set("s", "g", "a", "a1")
        .compose(v -> storage.set("s", "g", "b", "b1"))
        .compose(v -> storage.set("s", "g", "c", "c1"))
        .compose(v -> storage.delete("s", "g", "a"))
        .compose(v -> storage.set("s", "g", "a", "a2"))
        .compose(v -> storage.list("s", "g")))
        .onComplete(test.succeeding(values -> test.verify(() -> {
          assertListed(List.of("b1", "c1", "a2"), values);
          test.completeNow();
        })));
  }

  @Test
  void theListOfAnUnknownGroupIsEmpty(VertxTestContext test) {
    onContext(() -> storage.set("s", "known", "i", "v")
        .compose(v -> storage.list("s", "unknown"))
        .compose(values -> {
          test.verify(() -> assertTrue(values.isEmpty()));
          return storage.list("unknown-stream", "g");
        }))
        .onComplete(test.succeeding(values -> test.verify(() -> {
          assertTrue(values.isEmpty());
          test.completeNow();
        })));
  }

  @Test
  void listGroupsDropsAGroupOnceItsLastItemIsDeleted(VertxTestContext test) {
    onContext(() -> storage.set("s", "g1", "x", 1)
        .compose(v -> storage.set("s", "g2", "y", 2))
        .compose(v -> storage.delete("s", "g1", "x"))
        .compose(v -> storage.listGroups("s")))
        .onComplete(test.succeeding(groups -> test.verify(() -> {
          assertEquals(List.of("g2"), groups);
          test.completeNow();
        })));
  }

  @Test
  void listAllGivesSortedStreamsWithSortedGroupsAndNoEmptiedOnes(VertxTestContext test) {
    onContext(() -> storage.set("b", "z", "i", 1)
        .compose(v -> storage.set("b", "y", "i", 1))
        .compose(v -> storage.set("a", "x", "i", 1))
        .compose(v -> storage.set("c", "w", "i", 1))
        .compose(v -> storage.delete("c", "w", "i"))
        .compose(v -> storage.listAll()))
        .onComplete(test.succeeding(all -> test.verify(() -> {
          assertEquals(List.of("a", "b"), List.copyOf(all.keySet()));
          assertEquals(List.of("y", "z"), List.copyOf(all.get("b")));
          assertSorted(all);
          test.completeNow();
        })));
  }

  // ---- positions ----------------------------------------------------------------------------

  private static EventDraft upsert(String group, String item, Object value) {
    return EventDraft.upsert("s", group, item, System.currentTimeMillis(), Json.encodeToBuffer(value));
  }

  /** Five events on group g: create a, update a, send, create b, delete a. */
  private Future<List<StreamEvent>> fiveEvents(String group) {
    List<StreamEvent> events = new java.util.ArrayList<>();
    return storage.set("s", group, "a", 1, upsert(group, "a", 1)).map(w -> events.add(w.event()))
        .compose(v -> storage.set("s", group, "a", 2, upsert(group, "a", 2))).map(w -> events.add(w.event()))
        .compose(v -> storage.publish(EventDraft.custom("s", group, null, System.currentTimeMillis(), "ping",
            Json.encodeToBuffer("hi")))).map(events::add)
        .compose(v -> storage.set("s", group, "b", 3, upsert(group, "b", 3))).map(w -> events.add(w.event()))
        .compose(v -> storage.delete("s", group, "a", EventDraft.deletion("s", group, "a", System.currentTimeMillis())))
        .map(w -> events.add(w.event()))
        .map(v -> events);
  }

  @Test
  void everyEventTakesTheGroupsNextOffsetInOneEpochAndTheSnapshotIsAtTheLast(VertxTestContext test) {
    onContext(() -> fiveEvents("g").compose(events -> storage.delete("s", "g", "absent",
            EventDraft.deletion("s", "g", "absent", System.currentTimeMillis()))
        .compose(none -> {
          test.verify(() -> assertNull(none.event(), "deleting an absent item makes no event"));
          return storage.snapshot("s", "g", null);
        })
        .compose(snap -> storage.position("s", "g").map(now -> {
          test.verify(() -> {
            String epoch = events.get(0).epoch();
            assertEquals(12, epoch.length(), "a fresh epoch");
            for (int i = 0; i < events.size(); i++) {
              assertEquals(new GroupPosition(epoch, i + 1), events.get(i).position(), "event " + i);
            }
            assertTrue(events.get(0).frame().toString().contains("\"type\":\"create\""));
            assertTrue(events.get(1).frame().toString().contains("\"type\":\"update\""));
            assertTrue(events.get(4).frame().toString().contains("\"type\":\"delete\",\"data\":2"));
            assertEquals(new GroupPosition(epoch, 5), now);
            assertEquals(now, snap.position());
            assertEquals(new JsonArray().add(3), snap.data());
          });
          return null;
        }))))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void aGroupThatNeverExistedIsAtNoPositionAndItsFirstEventIsOffsetOne(VertxTestContext test) {
    onContext(() -> storage.position("s", "new").compose(before -> storage.snapshot("s", "new", "x")
        .compose(snap -> storage.set("s", "new", "x", 1, upsert("new", "x", 1)).map(w -> {
          test.verify(() -> {
            assertEquals(GroupPosition.NONE, before);
            assertEquals(GroupPosition.NONE, snap.position());
            assertNull(snap.data());
            assertTrue(GroupPosition.NONE.isFollowedBy(w.event().position()));
          });
          return null;
        }))))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void sinceGivesExactlyTheEventsAfterAPositionOfTheSameEpochAndNothingElse(VertxTestContext test) {
    Assumptions.assumeTrue(keepsHistory(), "this adapter keeps no history");
    onContext(() -> fiveEvents("h").compose(events -> {
      String epoch = events.get(0).epoch();
      return storage.since("s", "h", new GroupPosition(epoch, 2))
          .compose(after2 -> storage.since("s", "h", new GroupPosition(epoch, 5)).compose(after5 ->
              storage.since("s", "h", new GroupPosition(epoch, 6)).compose(beyond ->
                  storage.since("s", "h", new GroupPosition("otherepoch00", 2)).map(other -> {
                    test.verify(() -> {
                      assertEquals(events.subList(2, 5).stream().map(StreamEvent::position).toList(),
                          after2.stream().map(StreamEvent::position).toList());
                      for (int i = 0; i < 3; i++) {
                        assertEquals(events.get(2 + i).frame(), after2.get(i).frame(), "frame " + i);
                        assertEquals(events.get(2 + i).id(), after2.get(i).id(), "item " + i);
                      }
                      assertEquals(List.of(), after5, "nothing missed");
                      assertNull(beyond, "an offset beyond the group's");
                      assertNull(other, "another epoch");
                    });
                    return null;
                  }))));
    })).onComplete(test.succeedingThenComplete());
  }

  @Test
  void theHistoryKeepsOnlyItsNewestEventsAndAnOlderPositionCannotBeResumed(Vertx vertx, VertxTestContext test) {
    Assumptions.assumeTrue(keepsHistory(), "this adapter keeps no history");
    onContext(() -> storage.close().compose(v -> newStorage(vertx, new HistoryOptions().setSize(3)))
        .compose(small -> {
          storage = small;
          return fiveEvents("k");
        })
        .compose(events -> {
          String epoch = events.get(0).epoch();
          return storage.since("s", "k", new GroupPosition(epoch, 1)).compose(tooOld ->
              storage.since("s", "k", new GroupPosition(epoch, 2)).map(kept -> {
                test.verify(() -> {
                  assertNull(tooOld, "event 2 was dropped by history.size = 3");
                  assertEquals(List.of(3L, 4L, 5L), kept.stream().map(StreamEvent::offset).toList());
                });
                return null;
              }));
        }))
        .onComplete(test.succeedingThenComplete());
  }

  /** Compares iteration order (as lists): two sets with the same members are equal in any order. */
  private static void assertSorted(SortedMap<String, SortedSet<String>> all) {
    List<String> streams = List.copyOf(all.keySet());
    assertEquals(streams.stream().sorted().toList(), streams, "streams in name order");
    all.forEach((stream, groups) -> {
      List<String> inOrder = List.copyOf(groups);
      assertEquals(inOrder.stream().sorted().toList(), inOrder, "groups of " + stream + " in name order");
    });
  }
}
