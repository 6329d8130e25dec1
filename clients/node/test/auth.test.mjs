// Functions the node calls back, served by a real iii-sdk worker: the stream socket's
// auth_function (configured as compat::auth by IiiSdkCompatibilityTest) and a stream trigger's
// condition function.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { eventually, HTTP_URL, openStreamSocket, ready, shutdownAll, signal, unique, WAIT_MS, within, worker } from '../support/helpers.mjs'

after(shutdownAll)

test('a worker serves the auth_function; its context reaches the join handler', async () => {
  const iii = worker('auth')
  const seenAuth = []
  const joined = signal()
  iii.registerFunction('compat::auth', async (input) => {
    seenAuth.push(input)
    return { context: { user: input.query_params.token?.[0] ?? null } }
  })
  const stream = unique('private')
  const onJoin = iii.registerFunction(unique('auth::onJoin'), async (payload) => {
    if (payload.stream_name === stream) joined.resolve(payload)
    return { unauthorized: payload.context?.user !== 'alice' }
  }).id
  iii.registerTrigger({ type: 'stream:join', function_id: onJoin, config: {} })
  await ready(iii)

  const alice = await openStreamSocket('/?token=alice')
  alice.send({ type: 'join', data: { subscriptionId: 's1', streamName: stream, groupId: 'g' } })
  const sync = await alice.next((f) => f.streamName === stream, 'sync for alice')
  assert.equal(sync.event.type, 'sync')
  const payload = await within(joined.promise, WAIT_MS, 'join handler call')
  assert.deepEqual(payload.context, { user: 'alice' })
  assert.equal(seenAuth.at(-1).path, '/')
  assert.deepEqual(seenAuth.at(-1).query_params, { token: ['alice'] })

  const mallory = await openStreamSocket('/?token=mallory')
  mallory.send({ type: 'join', data: { subscriptionId: 's1', streamName: stream, groupId: 'g' } })
  const refused = await mallory.next((f) => f.streamName === stream, 'answer for mallory')
  assert.deepEqual(refused.event, { type: 'unauthorized' })
  await Promise.all([alice.close(), mallory.close()])
})

test('a worker serves a stream trigger condition: only a false result skips the handler', async () => {
  const iii = worker('condition')
  const stream = unique('orders')
  const handled = []
  const condition = iii.registerFunction(unique('cond::onlyEven'), async (event) => event.event.data.n % 2 === 0).id
  const handler = iii.registerFunction(unique('cond::handler'), async (event) => {
    handled.push(event.event.data.n)
    return null
  }).id
  iii.registerTrigger({ type: 'stream', function_id: handler,
    config: { stream_name: stream, condition_function_id: condition } })
  await ready(iii)

  for (let n = 1; n <= 4; n++) {
    const r = await fetch(`${HTTP_URL}/functions/stream::set`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stream_name: stream, group_id: 'g', item_id: `i${n}`, data: { n } }),
    })
    assert.equal(r.status, 200)
  }
  // Each event's trigger chain runs on its own, so the two calls may finish in either order.
  await eventually(() => assert.equal(handled.length, 2))
  await new Promise((r) => setTimeout(r, 300)) // no late call for n=1 or n=3 either
  assert.deepEqual([...handled].sort(), [2, 4])
})
