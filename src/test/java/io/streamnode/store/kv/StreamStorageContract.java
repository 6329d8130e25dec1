package io.streamnode.store.kv;

import io.streamnode.store.StreamStorage;
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
  protected abstract Future<StreamStorage> newStorage(Vertx vertx);

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
