package io.streamnode.store.redis;

/**
 * The Lua scripts of the redis adapter. Each write script does the write, takes the group's
 * next sequence number (INCR) and PUBLISHes the event in one atomic step, so the stored order
 * and the published order are the same on every node.
 *
 * <p>Keys: {@code KEYS[1]} the group hash {@code stream:<stream>:<group>}, {@code KEYS[2]} the
 * group's sequence {@code streamnode:seq:<stream>:<group>}. Channel payload:
 * {@code [seq,"stream","group","id"|null]\n<wrapper JSON>}; the script writes the seq and
 * fills the draft's gap ({@code before .. gap .. after}).
 */
final class RedisScripts {

  private RedisScripts() {
  }

  private static final String PUBLISH_CHANGE =
      "local seq = redis.call('INCR', KEYS[2])\n"
      + "redis.call('PUBLISH', CHANNEL, '[' .. string.format('%d', seq) .. ',' .. ROUTE .. '\\n' .. BEFORE .. GAP .. AFTER)\n";

  /** ARGV: item, value, channel, route, before, after. Returns {seq, old|nil}. */
  static final RedisScript SET = new RedisScript(
      "local old = redis.call('HGET', KEYS[1], ARGV[1])\n"
      + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
      + "local kind = 'create'\n"
      + "if old then kind = 'update' end\n"
      + publish("ARGV[3]", "ARGV[4]", "ARGV[5]", "kind", "ARGV[6]")
      + "return {seq, old}\n");

  /**
   * ARGV: item, value, channel, route, before, after, '1' if expected present else '0', expected
   * JSON text. Writes only if the stored text is still the expected one. Returns {seq}, {0} on conflict.
   */
  static final RedisScript REPLACE = new RedisScript(
      "local old = redis.call('HGET', KEYS[1], ARGV[1])\n"
      + "if ARGV[7] == '1' then\n"
      + "  if old ~= ARGV[8] then return {0} end\n"
      + "elseif old then return {0} end\n"
      + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
      + "local kind = 'create'\n"
      + "if old then kind = 'update' end\n"
      + publish("ARGV[3]", "ARGV[4]", "ARGV[5]", "kind", "ARGV[6]")
      + "return {seq}\n");

  /** ARGV: item, channel, route, before, after. Returns {seq, old}, or {0} if the item was absent (nothing published). */
  static final RedisScript DELETE = new RedisScript(
      "local old = redis.call('HGET', KEYS[1], ARGV[1])\n"
      + "if not old then return {0} end\n"
      + "redis.call('HDEL', KEYS[1], ARGV[1])\n"
      + publish("ARGV[2]", "ARGV[3]", "ARGV[4]", "old", "ARGV[5]")
      + "return {seq, old}\n");

  /** KEYS[1] unused (kept for a uniform key list). ARGV: channel, route, frame. Returns seq. */
  static final RedisScript SEND = new RedisScript(
      publish("ARGV[1]", "ARGV[2]", "ARGV[3]", "''", "''")
      + "return seq\n");

  /** ARGV: '1' and item for one item, '0' for the group. Returns {seq, value|nil} or {seq, values...}. */
  static final RedisScript SNAPSHOT = new RedisScript(
      "local seq = tonumber(redis.call('GET', KEYS[2]) or '0')\n"
      + "if ARGV[1] == '1' then return {seq, redis.call('HGET', KEYS[1], ARGV[2])} end\n"
      + "local values = redis.call('HVALS', KEYS[1])\n"
      + "table.insert(values, 1, seq)\n"
      + "return values\n");

  /** iii's get-and-set, without an event (the plain {@code StreamStorage.set}). ARGV: item, value. */
  static final RedisScript PLAIN_SET = new RedisScript(
      "local old = redis.call('HGET', KEYS[1], ARGV[1])\n"
      + "redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])\n"
      + "return old\n");

  /** iii's get-and-delete, without an event (the plain {@code StreamStorage.delete}). ARGV: item. */
  static final RedisScript PLAIN_DELETE = new RedisScript(
      "local old = redis.call('HGET', KEYS[1], ARGV[1])\n"
      + "redis.call('HDEL', KEYS[1], ARGV[1])\n"
      + "return old\n");

  private static String publish(String channel, String route, String before, String gap, String after) {
    return PUBLISH_CHANGE.replace("CHANNEL", channel).replace("ROUTE", route).replace("BEFORE", before)
        .replace("GAP", gap).replace("AFTER", after);
  }
}
