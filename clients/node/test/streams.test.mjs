// Every stream::* function through iii.trigger, stream triggers, and stream:join / stream:leave.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { TriggerAction } from 'iii-sdk'
import { openStreamSocket, ready, shutdownAll, signal, unique, WAIT_MS, within, worker } from '../support/helpers.mjs'

after(shutdownAll)

test('every stream::* function through iii.trigger', async () => {
  const iii = worker('streams')
  const stream_name = unique('orders')
  const call = (function_id, payload) => iii.trigger({ function_id, payload })

  assert.deepEqual(await call('stream::set', { stream_name, group_id: 'g1', item_id: 'o1', data: { status: 'open' } }),
    { old_value: null, new_value: { status: 'open' } })
  assert.deepEqual(await call('stream::set', { stream_name, group_id: 'g1', item_id: 'o1', data: { status: 'paid' } }),
    { old_value: { status: 'open' }, new_value: { status: 'paid' } })
  assert.deepEqual(await call('stream::get', { stream_name, group_id: 'g1', item_id: 'o1' }), { status: 'paid' })
  assert.equal(await call('stream::get', { stream_name, group_id: 'g1', item_id: 'missing' }), undefined)

  const updated = await call('stream::update', {
    stream_name, group_id: 'g1', item_id: 'o1',
    ops: [{ type: 'set', path: 'status', value: 'shipped' }, { type: 'increment', path: 'n', by: 2 }],
  })
  assert.deepEqual(updated, { old_value: { status: 'paid' }, new_value: { status: 'shipped', n: 2 } })
  const withErrors = await call('stream::update', {
    stream_name, group_id: 'g1', item_id: 'o1', ops: [{ type: 'increment', path: 'status', by: 1 }],
  })
  assert.equal(withErrors.errors[0].code, 'increment.not_number')

  await call('stream::set', { stream_name, group_id: 'g2', item_id: 'o2', data: 7 })
  assert.deepEqual(await call('stream::list', { stream_name, group_id: 'g1' }), [{ status: 'shipped', n: 2 }])
  assert.deepEqual((await call('stream::list_groups', { stream_name })).sort(), ['g1', 'g2'])
  const all = await call('stream::list_all', {})
  assert.deepEqual(all.stream.find((s) => s.id === stream_name), { id: stream_name, groups: ['g1', 'g2'] })
  assert.equal(typeof all.count, 'number')

  assert.equal(await call('stream::send', { stream_name, group_id: 'g1', type: 'typing', data: { who: 'u1' } }), null)
  assert.deepEqual(await call('stream::delete', { stream_name, group_id: 'g2', item_id: 'o2' }), { old_value: 7 })
  assert.deepEqual(await call('stream::delete', { stream_name, group_id: 'g2', item_id: 'o2' }), { old_value: null })

  await assert.rejects(call('stream::set', { stream_name }), (err) => {
    assert.equal(err.code, 'deserialization_error')
    return true
  })

  // Fire-and-forget writes land too.
  await iii.trigger({ function_id: 'stream::set', payload: { stream_name, group_id: 'g3', item_id: 'v', data: 'void' },
    action: TriggerAction.Void() })
  await ready(iii)
  assert.equal(await call('stream::get', { stream_name, group_id: 'g3', item_id: 'v' }), 'void')
})

test('stream triggers fire the worker handler with the event', async () => {
  const iii = worker('stream-trigger')
  const stream_name = unique('presence')
  const got = signal()
  const id = unique('presence::onChange')
  iii.registerFunction(id, async (event) => { got.resolve(event); return {} })
  iii.registerTrigger({ type: 'stream', function_id: id, config: { stream_name, group_id: 'room-1' } })
  await ready(iii)

  await iii.trigger({ function_id: 'stream::set', payload: { stream_name, group_id: 'room-2', item_id: 'u0', data: 0 } })
  await iii.trigger({ function_id: 'stream::set', payload: { stream_name, group_id: 'room-1', item_id: 'u1', data: { online: true } } })
  const event = await within(got.promise, WAIT_MS, 'stream trigger')
  assert.equal(event.type, 'stream')
  assert.equal(event.streamName, stream_name)
  assert.equal(event.groupId, 'room-1')
  assert.equal(event.id, 'u1')
  assert.equal(typeof event.timestamp, 'number')
  assert.deepEqual(event.event, { type: 'create', data: { online: true } })
})

test('a stream:join handler refuses a join on the stream socket; stream:leave fires on leave', async () => {
  const iii = worker('join')
  const privateStream = unique('private')
  const publicStream = unique('public')
  const leaves = []
  const left = signal()
  const onJoin = unique('auth::onJoin')
  const onLeave = unique('auth::onLeave')
  iii.registerFunction(onJoin, async (join) => ({ unauthorized: join.stream_name === privateStream }))
  iii.registerFunction(onLeave, async (leave) => {
    if (leave.stream_name === publicStream) {
      leaves.push(leave)
      left.resolve(leave)
    }
  })
  iii.registerTrigger({ type: 'stream:join', function_id: onJoin, config: {} })
  iii.registerTrigger({ type: 'stream:leave', function_id: onLeave, config: {} })
  await ready(iii)
  await iii.trigger({ function_id: 'stream::set', payload: { stream_name: publicStream, group_id: 'g', item_id: 'i', data: 1 } })

  const socket = await openStreamSocket()
  try {
    socket.send({ type: 'join', data: { subscriptionId: 'no', streamName: privateStream, groupId: 'g' } })
    const refused = await socket.next((f) => f.streamName === privateStream, 'unauthorized frame')
    assert.deepEqual(refused.event, { type: 'unauthorized' })

    socket.send({ type: 'join', data: { subscriptionId: 'yes', streamName: publicStream, groupId: 'g' } })
    const sync = await socket.next((f) => f.streamName === publicStream && f.event.type === 'sync', 'sync frame')
    assert.deepEqual(sync.event.data, [1])
    assert.equal(sync.id, null)

    await iii.trigger({ function_id: 'stream::set', payload: { stream_name: publicStream, group_id: 'g', item_id: 'i', data: 2 } })
    const update = await socket.next((f) => f.streamName === publicStream && f.event.type === 'update', 'update frame')
    assert.deepEqual(update.event, { type: 'update', data: 2 })

    socket.send({ type: 'leave', data: { subscriptionId: 'yes', streamName: publicStream, groupId: 'g' } })
    const leave = await within(left.promise, WAIT_MS, 'stream:leave')
    assert.equal(leave.subscription_id, 'yes')
    assert.equal(leave.group_id, 'g')
    assert.equal(leave.id, null)
  } finally {
    await socket.close()
  }
  assert.equal(leaves.length, 1)
})
