package io.streamnode.store.redis;

import io.streamnode.store.CompareAndSetStorage;
import io.streamnode.store.StreamStorage;
import io.streamnode.store.event.EventDraft;
import io.streamnode.store.event.HistoryOptions;
import io.streamnode.store.kv.StreamStorageContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxTestContext;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The storage contract against the real Redis on 127.0.0.1:6379, in a database of its own
 * (flushed before each case) since the contract uses fixed names and lists everything. Redis
 * does not define HVALS order, so the order-specific cases compare values as a multiset. Then
 * what only this adapter does in a cluster: a write forwarded to a group's owner and sent again
 * after that owner died is applied once.
 */
class RedisStorageTest extends StreamStorageContract {

  static final String URL = "redis://127.0.0.1:6379/13";

  @Override
  protected boolean keepsInsertionOrder() {
    return false;
  }

  @Override
  protected Future<StreamStorage> newStorage(Vertx vertx, HistoryOptions history) {
    Redis admin = Redis.createClient(vertx, URL);
    RedisStorage storage = new RedisStorage(vertx, new RedisStorageOptions().setRedisUrl(URL)
        .setChannel("streamnode::test::contract"), history);
    return admin.send(Request.cmd(Command.FLUSHDB))
        .eventually(admin::close)
        .compose(ok -> storage.open())
        .map(storage);
  }

  // ---- a call sent again after its owner died (cluster with the redis adapter) ---------------

  private static EventDraft upsert(String item, int value, String call) {
    return EventDraft.upsert("s", "g", item, System.currentTimeMillis(), Buffer.buffer(String.valueOf(value)))
        .withCallId(call);
  }

  @Test
  void aSetSentAgainWithItsCallIdIsAnsweredAsBeforeNotAppliedTwice(Vertx vertx, VertxTestContext test) {
    onContext(() -> storage.set("s", "g", "n", 1, upsert("n", 1, null))
        .compose(w1 -> storage.set("s", "g", "n", 2, upsert("n", 2, "call-2"))
            // The second attempt computed another value (an update re-reads what the first stored).
            .compose(w2 -> storage.set("s", "g", "n", 3, upsert("n", 3, "call-2"))
                .compose(w3 -> storage.get("s", "g", "n").compose(value -> storage.position("s", "g").map(now -> {
                  test.verify(() -> {
                    assertFalse(w2.replayed(), "a first attempt is applied");
                    assertTrue(w3.replayed(), "the second attempt is a replay");
                    assertEquals(w2.event().position(), w3.event().position());
                    assertEquals(w2.event().frame(), w3.event().frame(), "the event of what was stored then");
                    assertEquals(1, w3.old(), "the old value as it was then");
                    assertEquals(2, w3.value());
                    assertEquals(2, value, "applied once");
                    assertEquals(w2.event().position(), now, "no new event");
                  });
                  return null;
                }))))))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void anUpdateSentAgainAfterItsFirstAttemptWasAppliedIsNotAppliedTwice(Vertx vertx, VertxTestContext test) {
    CompareAndSetStorage cas = (CompareAndSetStorage) storage;
    // increment by 1, twice under one call id: the retry reads 2 and would write 3.
    onContext(() -> storage.set("s", "g", "n", 1, upsert("n", 1, null))
        .compose(v -> cas.read("s", "g", "n")).compose(read -> cas.replace("s", "g", "n", read, 2, upsert("n", 2, "inc")))
        .compose(first -> cas.read("s", "g", "n").compose(read -> cas.replace("s", "g", "n", read, 3, upsert("n", 3, "inc")))
            .compose(again -> storage.get("s", "g", "n").map(value -> {
              test.verify(() -> {
                assertTrue(again.replayed());
                assertEquals(2, again.value(), "what the first attempt stored");
                assertEquals(1, again.old());
                assertEquals(first.event().position(), again.event().position());
                assertEquals(2, value, "incremented once");
              });
              return null;
            }))))
        .onComplete(test.succeedingThenComplete());
  }

  @Test
  void aDeleteOrSendSentAgainPublishesNothingNewAndADifferentCallIsApplied(Vertx vertx, VertxTestContext test) {
    EventDraft send = EventDraft.custom("s", "g", null, System.currentTimeMillis(), "ping", Buffer.buffer("{}"));
    onContext(() -> storage.set("s", "g", "n", 1, upsert("n", 1, null))
        .compose(v -> storage.delete("s", "g", "n", EventDraft.deletion("s", "g", "n", 1).withCallId("del")))
        .compose(d1 -> storage.delete("s", "g", "n", EventDraft.deletion("s", "g", "n", 2).withCallId("del"))
            .compose(d2 -> storage.publish(send.withCallId("send")).compose(s1 -> storage.publish(send.withCallId("send"))
                .compose(s2 -> storage.publish(send.withCallId("other")).compose(s3 -> storage.position("s", "g")
                    .compose(now -> redisPttl(vertx, RedisStorage.CALL_PREFIX + "send").map(ttl -> {
                      test.verify(() -> {
                        assertTrue(d2.replayed(), "the delete sent again");
                        assertEquals(1, d2.old(), "what it deleted then");
                        assertEquals(d1.event().position(), d2.event().position());
                        assertEquals(s1.position(), s2.position(), "the send sent again: its first event");
                        assertEquals(s1.position().offset() + 1, s3.position().offset(), "another call is applied");
                        assertEquals(4, now.offset(), "set, delete, send, send: four events, no more");
                        assertTrue(ttl > 0 && ttl <= RedisScripts.CALL_TTL_MS, "the record expires: PTTL " + ttl);
                      });
                      return null;
                    }))))))))
        .onComplete(test.succeedingThenComplete());
  }

  private static Future<Long> redisPttl(Vertx vertx, String key) {
    Redis client = Redis.createClient(vertx, URL);
    return client.send(Request.cmd(Command.PTTL).arg(key)).map(r -> r.toLong()).eventually(client::close);
  }
}
