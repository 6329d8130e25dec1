package io.streamnode.store.redis;

/**
 * The Lua scripts of the redis adapter. Each write script does the write, takes the group's
 * next position and PUBLISHes the event in one atomic step, so the stored order and the
 * published order are the same on every node.
 *
 * <p>Keys: {@code KEYS[1]} the group hash {@code stream:<stream>:<group>}, {@code KEYS[2]} the
 * group's offset counter {@code streamnode:seq:<stream>:<group>}, {@code KEYS[3]} the group's
 * epoch {@code streamnode:epoch:<stream>:<group>}. When either of the last two is missing (a new
 * group, or a Redis that lost them: FLUSHALL, a restart without persistence) the group starts a
 * new epoch, the one the caller proposes, at offset 1: offsets are never reused within an epoch.
 * Channel payload: {@code [offset,"epoch","stream","group","id"|null]\n<wrapper JSON>}; the
 * script writes the position and fills the draft's gap ({@code before .. gap .. after}).
 */
final class RedisScripts {

  private RedisScripts() {
  }

  /** The group's position as the write scripts see it: no epoch or no counter is no position. */
  private static final String POSITION_READ =
      "local epoch = redis.call('GET', KEYS[3])\n"
      + "local seq = tonumber(redis.call('GET', KEYS[2]) or '-1')\n"
      + "if (not epoch) or seq < 0 then epoch = '0'; seq = 0 end\n";

  private static final String PUBLISH_CHANGE =
      "local epoch = redis.call('GET', KEYS[3])\n"
      + "local seq = tonumber(redis.call('GET', KEYS[2]) or '-1')\n"
      + "if (not epoch) or seq < 0 then\n"
      + "  epoch = EPOCH\n"
      + "  redis.call('SET', KEYS[3], epoch)\n"
      + "  seq = 0\n"
      + "end\n"
      + "seq = seq + 1\n"
      + "redis.call('SET', KEYS[2], seq)\n"
      + "redis.call('PUBLISH', CHANNEL, '[' .. string.format('%d', seq) .. ',\"' .. epoch .. '\",' .. ROUTE .. '\\n' .. BEFORE .. GAP .. AFTER)\n";

  /** ARGV: item, value, channel, route, before, after, proposed epoch. Returns {offset, epoch, old|nil}. */
  static final RedisScript SET = new RedisScript(
      "local old = redis.call('HGET', KEYS[1], ARGV[1])\n"
      + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
      + "local kind = 'create'\n"
      + "if old then kind = 'update' end\n"
      + publish("ARGV[3]", "ARGV[4]", "ARGV[5]", "kind", "ARGV[6]", "ARGV[7]")
      + "return {seq, epoch, old}\n");

  /**
   * ARGV: item, value, channel, route, before, after, '1' if expected present else '0', expected
   * JSON text, proposed epoch. Writes only if the stored text is still the expected one. Returns
   * {offset, epoch}, {0} on conflict.
   */
  static final RedisScript REPLACE = new RedisScript(
      "local old = redis.call('HGET', KEYS[1], ARGV[1])\n"
      + "if ARGV[7] == '1' then\n"
      + "  if old ~= ARGV[8] then return {0} end\n"
      + "elseif old then return {0} end\n"
      + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
      + "local kind = 'create'\n"
      + "if old then kind = 'update' end\n"
      + publish("ARGV[3]", "ARGV[4]", "ARGV[5]", "kind", "ARGV[6]", "ARGV[9]")
      + "return {seq, epoch}\n");

  /**
   * ARGV: item, channel, route, before, after, proposed epoch. Returns {offset, epoch, old}, or {0}
   * if the item was absent (nothing published).
   */
  static final RedisScript DELETE = new RedisScript(
      "local old = redis.call('HGET', KEYS[1], ARGV[1])\n"
      + "if not old then return {0} end\n"
      + "redis.call('HDEL', KEYS[1], ARGV[1])\n"
      + publish("ARGV[2]", "ARGV[3]", "ARGV[4]", "old", "ARGV[5]", "ARGV[6]")
      + "return {seq, epoch, old}\n");

  /** KEYS[1] unused (kept for a uniform key list). ARGV: channel, route, frame, proposed epoch. Returns {offset, epoch}. */
  static final RedisScript SEND = new RedisScript(
      publish("ARGV[1]", "ARGV[2]", "ARGV[3]", "''", "''", "ARGV[4]")
      + "return {seq, epoch}\n");

  /**
   * ARGV: '1' and item for one item, '0' for the group. Returns {offset, epoch, value|nil} or
   * {offset, epoch, values...}; epoch '0' (offset 0) for a group without a position.
   */
  static final RedisScript SNAPSHOT = new RedisScript(
      POSITION_READ
      + "if ARGV[1] == '1' then return {seq, epoch, redis.call('HGET', KEYS[1], ARGV[2])} end\n"
      + "local values = redis.call('HVALS', KEYS[1])\n"
      + "table.insert(values, 1, epoch)\n"
      + "table.insert(values, 1, seq)\n"
      + "return values\n");

  /** No ARGV. Returns {offset, epoch}, as {@link #SNAPSHOT} reads them. */
  static final RedisScript POSITION = new RedisScript(
      POSITION_READ
      + "return {seq, epoch}\n");

  private static String publish(String channel, String route, String before, String gap, String after, String epoch) {
    return PUBLISH_CHANGE.replace("CHANNEL", channel).replace("ROUTE", route).replace("BEFORE", before)
        .replace("GAP", gap).replace("AFTER", after).replace("EPOCH", epoch);
  }
}
