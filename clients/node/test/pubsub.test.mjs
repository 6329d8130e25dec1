// publish / subscribe with the real iii-sdk.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { TriggerAction } from 'iii-sdk'
import { eventually, ready, shutdownAll, signal, unique, WAIT_MS, within, worker } from '../support/helpers.mjs'

after(shutdownAll)

test('publish reaches every subscribe trigger with the raw data', async () => {
  const topic = unique('orders.shipped')
  const a = worker('sub-a')
  const b = worker('sub-b')
  const gotA = signal()
  const gotB = signal()
  const fa = a.registerFunction(unique('a::onTopic'), async (data) => gotA.resolve(data)).id
  const fb = b.registerFunction(unique('b::onTopic'), async (data) => gotB.resolve(data)).id
  a.registerTrigger({ type: 'subscribe', function_id: fa, config: { topic } })
  b.registerTrigger({ type: 'subscribe', function_id: fb, config: { topic } })
  await Promise.all([ready(a), ready(b)])

  const publisher = worker('publisher')
  const none = await publisher.trigger({ function_id: 'publish', payload: { topic, data: { orderId: 'abc' } },
    action: TriggerAction.Void() })
  assert.equal(none, undefined)
  assert.deepEqual(await within(gotA.promise, WAIT_MS, 'delivery to a'), { orderId: 'abc' })
  assert.deepEqual(await within(gotB.promise, WAIT_MS, 'delivery to b'), { orderId: 'abc' })

  // A synchronous publish resolves with no result; an empty topic is topic_not_set.
  assert.equal(await publisher.trigger({ function_id: 'publish', payload: { topic, data: null } }), undefined)
  await assert.rejects(publisher.trigger({ function_id: 'publish', payload: { topic: '', data: 1 } }),
    { code: 'topic_not_set' })
})

test('unregistering one subscription leaves the others subscribed', async () => {
  const topic = unique('chat')
  const a = worker('sub-c')
  const b = worker('sub-d')
  let countA = 0
  const gotB = []
  const idA = unique('c::onTopic')
  const idB = unique('d::onTopic')
  a.registerFunction(idA, async () => { countA++ })
  b.registerFunction(idB, async (data) => { gotB.push(data) })
  const trigA = a.registerTrigger({ type: 'subscribe', function_id: idA, config: { topic } })
  b.registerTrigger({ type: 'subscribe', function_id: idB, config: { topic } })
  await Promise.all([ready(a), ready(b)])
  trigA.unregister()
  await ready(a)

  await b.trigger({ function_id: 'publish', payload: { topic, data: 'hi' } })
  // b's delivery is awaited, not assumed done after a pause; a call to a (on its own connection,
  // unordered with b's) gets a moment more to show up.
  await eventually(() => assert.deepEqual(gotB, ['hi']))
  await new Promise((r) => setTimeout(r, 300))
  assert.equal(countA, 0)
  assert.deepEqual(gotB, ['hi'])
})
