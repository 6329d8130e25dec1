// A custom stream implementation made with the SDK's createStream helper (iii-sdk/helpers): the
// node's stream::get/set/delete/list/list_groups of that stream, and the stream socket's join
// sync, go through the worker's object instead of the node's storage (WIRE.md 2.9).
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { createStream } from 'iii-sdk/helpers'
import { openStreamSocket, ready, shutdownAll, unique, worker } from '../support/helpers.mjs'

after(shutdownAll)

test('createStream serves stream::* and the join sync of its stream, and subscribers see its writes', async () => {
  const iii = worker('custom-stream')
  const stream_name = unique('custom')
  const groups = new Map()
  const group = (id) => {
    if (!groups.has(id)) groups.set(id, new Map())
    return groups.get(id)
  }
  const calls = []
  createStream(iii, stream_name, {
    async get(input) {
      calls.push(['get', input])
      return group(input.group_id).get(input.item_id) ?? null
    },
    async set(input) {
      calls.push(['set', input])
      const old_value = group(input.group_id).get(input.item_id)
      group(input.group_id).set(input.item_id, input.data)
      return { old_value, new_value: input.data }
    },
    async delete(input) {
      calls.push(['delete', input])
      const old_value = group(input.group_id).get(input.item_id)
      group(input.group_id).delete(input.item_id)
      return { old_value }
    },
    async list(input) {
      calls.push(['list', input])
      return [...group(input.group_id).values()]
    },
    async listGroups(input) {
      calls.push(['list_groups', input])
      return [...groups.keys()].filter((id) => groups.get(id).size > 0)
    },
    async update() {
      throw new Error('createStream does not register update')
    },
  })
  group('room').set('seeded', { from: 'custom' })
  await ready(iii)

  const socket = await openStreamSocket()
  try {
    socket.send({ type: 'join', data: { subscriptionId: 's1', streamName: stream_name, groupId: 'room' } })
    const sync = await socket.next((f) => f.event.type === 'sync', 'sync')
    assert.deepEqual(sync.event.data, [{ from: 'custom' }], 'the join is synced from the custom list')

    const call = (function_id, payload) => iii.trigger({ function_id, payload })
    const u1 = { stream_name, group_id: 'room', item_id: 'u1' }
    assert.deepEqual(await call('stream::set', { ...u1, data: { online: true } }),
      { old_value: null, new_value: { online: true } })
    assert.deepEqual(await call('stream::set', { ...u1, data: { online: false } }),
      { old_value: { online: true }, new_value: { online: false } })
    assert.deepEqual(await call('stream::get', u1), { online: false })
    assert.equal(await call('stream::get', { ...u1, item_id: 'nobody' }), undefined)
    assert.deepEqual(await call('stream::list', { stream_name, group_id: 'room' }), [{ from: 'custom' }, { online: false }])
    assert.deepEqual(await call('stream::list_groups', { stream_name }), ['room'])
    assert.deepEqual(await call('stream::delete', u1), { old_value: { online: false } })

    // The node emitted each write as its own would, in the order they were made.
    const created = await socket.next((f) => f.id === 'u1' && f.event.type === 'create', 'create')
    const updated = await socket.next((f) => f.id === 'u1' && f.event.type === 'update', 'update')
    const deleted = await socket.next((f) => f.id === 'u1' && f.event.type === 'delete', 'delete')
    assert.deepEqual(created.event.data, { online: true })
    assert.deepEqual(updated.event.data, { online: false })
    assert.deepEqual(deleted.event.data, { online: false })
    assert.deepEqual(socket.frames.slice(1).map((f) => f.event.type), ['create', 'update', 'delete'])

    // The implementation got iii's inputs, without the caller id the node adds to a worker's calls.
    assert.deepEqual(calls.find(([op]) => op === 'set')[1],
      { stream_name, group_id: 'room', item_id: 'u1', data: { online: true } })
    assert.deepEqual(calls.map(([op]) => op),
      ['list', 'set', 'set', 'get', 'get', 'list', 'list_groups', 'delete'])

    // list_all is never delegated: the node's storage never saw this stream.
    const all = await call('stream::list_all', {})
    assert.equal(all.stream.find((s) => s.id === stream_name), undefined)
  } finally {
    await socket.close()
  }
})
