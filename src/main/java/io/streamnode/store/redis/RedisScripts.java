package io.streamnode.store.redis;

/**
 * The Lua scripts of the redis adapter. Each write script does the write, takes the group's
 * next position, appends the event to the group's history and PUBLISHes it in one atomic step,
 * so the stored order, the history and the published order are the same on every node.
 *
 * <p>Keys of a group (every script gets all three): {@code KEYS[1]} the group hash
 * {@code stream:<stream>:<group>} (iii's layout), {@code KEYS[2]} the group's position, a hash
 * {@code streamnode:pos:<stream>:<group>} with fields {@code epoch}, {@code offset} and
 * {@code server}, and {@code KEYS[3]} the group's history, a Redis stream
 * {@code streamnode:history:<stream>:<group>} whose entry ids are the events' offsets
 * ({@code <offset>-0}) with fields {@code e} (epoch), {@code t} (Redis server time, ms), {@code i}
 * (item id, absent for a group-level event) and {@code f} (the wrapper frame).
 *
 * <p><b>Continuity.</b> A group's position continues only on the Redis server process, in the
 * replication role, that wrote it: {@code server} is a digest of the server's {@code run_id} and
 * {@code master_replid} (INFO) at the group's last epoch start. Any script that finds it differs
 * from the server's now (a restart, which may have loaded an older RDB/AOF; a failover to a replica,
 * which may lag; a former master promoted again) or finds the position missing (FLUSHALL, a restart
 * without persistence, an emptied group that expired) starts a new epoch, the one the caller
 * proposes, and clears the history: offsets are never reused within an epoch and the history never
 * serves events of another one. The check runs inside every script, so no write can slip in between
 * a rollback and its detection.
 *
 * <p><b>Cleanup.</b> A group without items keeps its position for {@code emptied TTL} ms after its
 * last event (PEXPIRE, refreshed by each event; PERSIST once it has items again); the history
 * stream expires {@code history TTL} ms after its last entry (all of its entries are older by then).
 *
 * <p>Channel payload: {@code [offset,"epoch","stream","group","id"|null]\n<wrapper JSON>}; the
 * script fills the draft's gap ({@code before .. gap .. after}).
 *
 * <p><b>Calls sent again.</b> A write forwarded to a group's owner carries its call's id; when the
 * owner dies between its write and its reply, the call is sent again to the new owner. A write
 * script given a fourth key, {@code streamnode:call:<call id>}, answers {@code {-1, record}} if
 * that key exists (the call was applied: nothing is written or published again), and otherwise
 * stores there, with the write, what it did: the JSON {@code [offset, epoch, old|false,
 * value|false, frame]}, kept {@value #CALL_TTL_MS} ms, longer than any call's retries.
 */
final class RedisScripts {

  private RedisScripts() {
  }

  /** How long a forwarded call's record is kept (ms): a call is retried within its timeout (30 s by default). */
  static final long CALL_TTL_MS = 120_000;

  /** Every write script's start: a call applied before is answered with its record. */
  private static final String REPLAYED =
      "if #KEYS >= 4 then\n"
      + "  local done = redis.call('GET', KEYS[4])\n"
      + "  if done then return {-1, done} end\n"
      + "end\n";

  /**
   * The server's identity now: a digest of run_id (a new one per process start) and master_replid (a
   * new one per promotion), 12 hex characters. Calling INFO (a non-deterministic command) before
   * writes is allowed since Redis 5 replicates a script's effects, not the script; one section per
   * call, as Redis before 7 takes only one.
   */
  private static final String SERVER =
      "local info = redis.call('INFO', 'server') .. redis.call('INFO', 'replication')\n"
      + "local server = string.sub(redis.sha1hex((string.match(info, 'run_id:(%x+)') or '?') .. ':'"
      + " .. (string.match(info, 'master_replid:(%x+)') or '?')), 1, 12)\n"
      + "local pos = redis.call('HMGET', KEYS[2], 'epoch', 'offset', 'server')\n"
      + "local epoch = pos[1]\n"
      + "local seq = tonumber(pos[2])\n";

  /**
   * For reads (snapshot, position, since), PROPOSED the caller's new epoch: a group without a
   * position is at epoch '0' offset 0 ({@code GroupPosition.NONE}); a group whose position another
   * server (or an older state of this one) wrote starts the new epoch now, at offset 0, so that
   * whoever reads it and then sees offset 1 knows nothing lies between.
   */
  private static final String CLAIM =
      SERVER
      + "if (not epoch) or (not seq) then\n"
      + "  epoch = '0'; seq = 0\n"
      + "elseif pos[3] ~= server then\n"
      + "  epoch = PROPOSED; seq = 0\n"
      + "  redis.call('DEL', KEYS[3])\n"
      + "  redis.call('HSET', KEYS[2], 'epoch', epoch, 'offset', 0, 'server', server)\n"
      + "end\n";

  /**
   * The common write ARGV: [1] channel, [2] route tail, [3] frame before the gap, [4] frame after the
   * gap, [5] proposed epoch, [6] history size (0 = none), [7] history TTL ms, [8] emptied-group TTL
   * ms, [9] item id, [10] '1' if the event has an item id. GAP: a Lua expression filled in per script.
   */
  private static final String NUMBER_AND_PUBLISH =
      SERVER
      + "if (not epoch) or (not seq) or pos[3] ~= server then\n"
      + "  epoch = ARGV[5]; seq = 0\n"
      + "  redis.call('DEL', KEYS[3])\n"
      + "  redis.call('HSET', KEYS[2], 'epoch', epoch, 'server', server)\n"
      + "end\n"
      + "seq = seq + 1\n"
      + "local offset = string.format('%d', seq)\n"
      + "redis.call('HSET', KEYS[2], 'offset', offset)\n"
      + "local frame = ARGV[3] .. GAP .. ARGV[4]\n"
      + "if tonumber(ARGV[6]) > 0 then\n"
      + "  local t = redis.call('TIME')\n"
      + "  local now = string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))\n"
      + "  local added\n"
      + "  if ARGV[10] == '1' then\n"
      + "    added = redis.pcall('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], offset .. '-0', 'e', epoch, 't', now, 'i', ARGV[9], 'f', frame)\n"
      + "  else\n"
      + "    added = redis.pcall('XADD', KEYS[3], 'MAXLEN', '~', ARGV[6], offset .. '-0', 'e', epoch, 't', now, 'f', frame)\n"
      + "  end\n"
      // An entry that cannot be added (a stream left over with higher ids) must not abort a script
      // whose write is done: the history is dropped instead, so resumes fall back to a full sync.
      + "  if type(added) == 'table' and added.err then redis.call('DEL', KEYS[3])\n"
      + "  else redis.call('PEXPIRE', KEYS[3], ARGV[7]) end\n"
      + "end\n"
      + "if redis.call('EXISTS', KEYS[1]) == 1 then\n"
      + "  redis.call('PERSIST', KEYS[2])\n"
      + "else\n"
      + "  redis.call('PEXPIRE', KEYS[2], ARGV[8])\n"
      + "end\n"
      + "redis.call('PUBLISH', ARGV[1], '[' .. offset .. ',\"' .. epoch .. '\",' .. ARGV[2] .. '\\n' .. frame)\n"
      + "if #KEYS >= 4 then\n"
      + "  redis.call('SET', KEYS[4], cjson.encode({seq, epoch, OLD, NEW, frame}), 'PX', " + CALL_TTL_MS + ")\n"
      + "end\n";

  /** Common write ARGV, then [11] value. Returns {offset, epoch, old|nil}. */
  static final RedisScript SET = new RedisScript(
      REPLAYED
      + "local old = redis.call('HGET', KEYS[1], ARGV[9])\n"
      + "redis.call('HSET', KEYS[1], ARGV[9], ARGV[11])\n"
      + "local kind = 'create'\n"
      + "if old then kind = 'update' end\n"
      + write("kind", "old or false", "ARGV[11]")
      + "return {seq, epoch, old}\n");

  /**
   * Common write ARGV, then [11] value, [12] '1' if expected present else '0', [13] expected JSON
   * text. Writes only if the stored text is still the expected one. Returns {offset, epoch}, {0} on
   * conflict.
   */
  static final RedisScript REPLACE = new RedisScript(
      REPLAYED
      + "local old = redis.call('HGET', KEYS[1], ARGV[9])\n"
      + "if ARGV[12] == '1' then\n"
      + "  if old ~= ARGV[13] then return {0} end\n"
      + "elseif old then return {0} end\n"
      + "redis.call('HSET', KEYS[1], ARGV[9], ARGV[11])\n"
      + "local kind = 'create'\n"
      + "if old then kind = 'update' end\n"
      + write("kind", "old or false", "ARGV[11]")
      + "return {seq, epoch}\n");

  /** Common write ARGV. Returns {offset, epoch, old}, or {0} if the item was absent (nothing published). */
  static final RedisScript DELETE = new RedisScript(
      REPLAYED
      + "local old = redis.call('HGET', KEYS[1], ARGV[9])\n"
      + "if not old then return {0} end\n"
      + "redis.call('HDEL', KEYS[1], ARGV[9])\n"
      + write("old", "old", "false")
      + "return {seq, epoch, old}\n");

  /** Common write ARGV (the frame whole in [3], [4] empty). Returns {offset, epoch}. */
  static final RedisScript SEND = new RedisScript(
      REPLAYED
      + write("''", "false", "false")
      + "return {seq, epoch}\n");

  /**
   * ARGV: [1] proposed epoch, [2] '1' and [3] item for one item, '0' for the group. Returns {offset,
   * epoch, value|nil} or {offset, epoch, values...}.
   */
  static final RedisScript SNAPSHOT = new RedisScript(
      claim("ARGV[1]")
      + "if ARGV[2] == '1' then return {seq, epoch, redis.call('HGET', KEYS[1], ARGV[3])} end\n"
      + "local values = redis.call('HVALS', KEYS[1])\n"
      + "table.insert(values, 1, epoch)\n"
      + "table.insert(values, 1, seq)\n"
      + "return values\n");

  /** ARGV: [1] proposed epoch. Returns {offset, epoch}, as {@link #SNAPSHOT} reads them. */
  static final RedisScript POSITION = new RedisScript(
      claim("ARGV[1]")
      + "return {seq, epoch}\n");

  /**
   * ARGV: [1] proposed epoch, [2] epoch and [3] offset of the client's position, [4] history size,
   * [5] history TTL ms. Returns {offset, epoch, 1, then offset, time, id|nil, frame for each event
   * after the position} when the history holds every one of them, or {offset, epoch, 0} when it does
   * not (another epoch, an offset ahead of the group's, more than the size, one dropped or older
   * than the TTL). At most size entries are read.
   */
  static final RedisScript SINCE = new RedisScript(
      claim("ARGV[1]")
      + "local from_epoch = ARGV[2]\n"
      + "local from = tonumber(ARGV[3])\n"
      + "if from_epoch == '0' then\n"
      // The client saw the group before it existed: it needs the group's whole history.
      + "  if epoch == '0' then return {seq, epoch, 1} end\n"
      + "  from_epoch = epoch; from = 0\n"
      + "end\n"
      + "if from_epoch ~= epoch or from > seq then return {seq, epoch, 0} end\n"
      + "if from == seq then return {seq, epoch, 1} end\n"
      + "local missing = seq - from\n"
      + "if missing > tonumber(ARGV[4]) then return {seq, epoch, 0} end\n"
      + "local entries = redis.call('XRANGE', KEYS[3], string.format('%d-0', from + 1), '+', 'COUNT', missing)\n"
      + "if #entries ~= missing then return {seq, epoch, 0} end\n"
      + "local t = redis.call('TIME')\n"
      + "local oldest = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) - tonumber(ARGV[5])\n"
      + "local out = {seq, epoch, 1}\n"
      + "for k, entry in ipairs(entries) do\n"
      + "  local expect = string.format('%d-0', from + k)\n"
      + "  local f = {}\n"
      + "  for j = 1, #entry[2], 2 do f[entry[2][j]] = entry[2][j + 1] end\n"
      + "  if entry[1] ~= expect or f['e'] ~= epoch or tonumber(f['t']) < oldest then return {seq, epoch, 0} end\n"
      + "  table.insert(out, from + k)\n"
      + "  table.insert(out, f['t'])\n"
      + "  table.insert(out, f['i'] or false)\n"
      + "  table.insert(out, f['f'])\n"
      + "end\n"
      + "return out\n");

  /** The numbering, history and publish of a write: {@code gap} fills the frame, {@code old} and {@code value} the call record. */
  private static String write(String gap, String old, String value) {
    return NUMBER_AND_PUBLISH.replace("GAP", gap).replace("OLD", old).replace("NEW", value);
  }

  private static String claim(String proposed) {
    return CLAIM.replace("PROPOSED", proposed);
  }
}
