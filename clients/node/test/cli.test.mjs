// `streamnode trigger`, the CLI twin of `iii trigger`, against the live node.
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { unique, WORKER_URL } from '../support/helpers.mjs'

const CLI = JSON.parse(process.env.STREAMNODE_CLI ?? '["java","-cp","../../target/streamnode.jar","io.streamnode.Main"]')
const port = new URL(WORKER_URL).port

function cli(...args) {
  const r = spawnSync(CLI[0], [...CLI.slice(1), 'trigger', ...args, '--address', '127.0.0.1', '--port', port],
    { encoding: 'utf8', timeout: 60_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

test('trigger with key=value pairs prints the JSON result', () => {
  const stream = unique('clicks')
  const set = cli('stream::set', `stream_name=${stream}`, 'group_id=all', 'item_id=abc-1', 'data={"code":"abc","n":1}')
  assert.equal(set.code, 0, set.err)
  assert.deepEqual(JSON.parse(set.out), { old_value: null, new_value: { code: 'abc', n: 1 } })

  const list = cli('stream::list', `stream_name=${stream}`, 'group_id=all')
  assert.equal(list.code, 0, list.err)
  assert.deepEqual(JSON.parse(list.out), [{ code: 'abc', n: 1 }])
})

test('trigger --json sends a raw body and pairs override its keys', () => {
  const stream = unique('raw')
  const r = cli('stream::set', '--json', JSON.stringify({ stream_name: stream, group_id: 'g', item_id: 'i', data: 1 }), 'data=2')
  assert.equal(r.code, 0, r.err)
  assert.deepEqual(JSON.parse(r.out), { old_value: null, new_value: 2 })
})

test('a missing item prints nothing and exits 0', () => {
  const r = cli('stream::get', `stream_name=${unique('none')}`, 'group_id=g', 'item_id=missing')
  assert.equal(r.code, 0, r.err)
  assert.equal(r.out, '')
})

test('a function error exits 1 with the error object on stderr', () => {
  const r = cli('nope::missing')
  assert.equal(r.code, 1)
  assert.match(r.err, /^Error: /)
  const error = JSON.parse(r.err.slice('Error: '.length))
  assert.deepEqual(error, { code: 'function_not_found', message: 'Function nope::missing not found' })

  const bad = cli('stream::get', 'stream_name=s')
  assert.equal(bad.code, 1)
  assert.equal(JSON.parse(bad.err.slice('Error: '.length)).code, 'deserialization_error')
})

test('bad arguments exit 2 with a message, an unreachable node exits 1', () => {
  const bad = cli('stream::set', '--json', '[1')
  assert.equal(bad.code, 2)
  assert.match(bad.err, /--json: invalid JSON/)

  const r = spawnSync(CLI[0], [...CLI.slice(1), 'trigger', 'stream::list_all', '--address', '127.0.0.1', '--port', '1'],
    { encoding: 'utf8', timeout: 60_000 })
  assert.equal(r.status, 1)
  assert.match(r.stderr, /cannot call stream::list_all/)
})
