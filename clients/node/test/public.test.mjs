// The public worker socket (iii's RBAC listener) with the unmodified iii-sdk: a trusted worker on
// the worker socket serves the auth function (compat::public_auth, as IiiSdkCompatibilityTest
// configures it, with expose_functions [match("stream::list")]); an SDK worker on the public
// listener is let in only with the token, subscribes to a group through a `stream` trigger, and
// is answered FORBIDDEN for what is not exposed.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { PUBLIC_WORKER_URL, ready, shutdownAll, signal, unique, WAIT_MS, within, worker } from '../support/helpers.mjs'

after(shutdownAll)

const skip = PUBLIC_WORKER_URL ? false : 'STREAMNODE_PUBLIC_WORKER_URL is not set (run through IiiSdkCompatibilityTest)'
const TOKEN = 'public-secret'
let backend

before(async () => {
  if (skip) return
  backend = worker('public-backend')
  backend.registerFunction('compat::public_auth', async (input) => {
    const token = input.query_params?.token?.[0] ?? input.headers?.authorization?.replace(/^Bearer\s+/i, '')
    if (token !== TOKEN) throw new Error('bad or missing token')
    return { allowed_trigger_types: ['stream'], context: { user: 'sdk' } }
  })
  await ready(backend)
})

/** Resolves once the node has handled what `iii` sent before (an exposed call, answered in order). */
async function publicReady(iii) {
  await iii.trigger({ function_id: 'stream::list', payload: { stream_name: 'public-ready', group_id: 'g' } })
}

test('with the token in the URL a public sdk worker subscribes to a group and gets live events', { skip }, async () => {
  const stream = unique('scores')
  const page = worker('public-page', { url: `${PUBLIC_WORKER_URL}?token=${TOKEN}` })
  const got = signal()
  const fn = page.registerFunction(unique('ui::on_score'), async (event) => { got.resolve(event); return null }).id
  page.registerTrigger({ type: 'stream', function_id: fn, config: { stream_name: stream, group_id: 'g' } })
  await publicReady(page)

  await backend.trigger({ function_id: 'stream::set',
    payload: { stream_name: stream, group_id: 'g', item_id: 'a', data: { points: 7 } } })
  const event = await within(got.promise, WAIT_MS, 'stream event on the public worker')
  assert.equal(event.streamName, stream)
  assert.equal(event.id, 'a')
  assert.deepEqual(event.event, { type: 'create', data: { points: 7 } })
})

test('a call outside expose_functions is rejected with FORBIDDEN and changes nothing', { skip }, async () => {
  const stream = unique('vault')
  const page = worker('public-caller', { url: PUBLIC_WORKER_URL, headers: { Authorization: `Bearer ${TOKEN}` } })
  assert.deepEqual(await page.trigger({ function_id: 'stream::list', payload: { stream_name: stream, group_id: 'g' } }), [])
  await assert.rejects(page.trigger({ function_id: 'stream::set',
    payload: { stream_name: stream, group_id: 'g', item_id: 'gold', data: 100 } }), (err) => {
    assert.equal(err.code, 'FORBIDDEN')
    return true
  })
  assert.deepEqual(await backend.trigger({ function_id: 'stream::list', payload: { stream_name: stream, group_id: 'g' } }), [])
})

test('without the token a public sdk worker is refused and its function never registered', { skip }, async () => {
  const id = unique('ui::intruder')
  const intruder = worker('public-intruder', { url: PUBLIC_WORKER_URL })
  intruder.registerFunction(id, async () => ({ pwned: true }))
  await new Promise((r) => setTimeout(r, 500))
  await assert.rejects(backend.trigger({ function_id: id, payload: {} }), (err) => {
    assert.equal(err.code, 'function_not_found')
    return true
  })
})
