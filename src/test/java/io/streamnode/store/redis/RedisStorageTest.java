package io.streamnode.store.redis;

import io.streamnode.store.StreamStorage;
import io.streamnode.store.event.HistoryOptions;
import io.streamnode.store.kv.StreamStorageContract;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;

/**
 * The storage contract against the real Redis on 127.0.0.1:6379, in a database of its own
 * (flushed before each case) since the contract uses fixed names and lists everything. Redis
 * does not define HVALS order, so the order-specific cases compare values as a multiset.
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
}
