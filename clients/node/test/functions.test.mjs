// registerFunction / trigger round trips and errors, with the real iii-sdk.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { HTTP_URL, eventually, ready, shutdownAll, unique, worker } from '../support/helpers.mjs'

after(shutdownAll)

test('a function registered by one worker is called by another and by HTTP', async () => {
  const provider = worker('provider')
  const id = unique('compat::greet')
  let caller
  provider.registerFunction(id, async (input) => {
    caller = input._caller_worker_id
    return { message: `Hello, ${input.name}!` }
  })
  await ready(provider)

  const client = worker('client')
  const result = await client.trigger({ function_id: id, payload: { name: 'World' } })
  assert.deepEqual(result, { message: 'Hello, World!' })
  assert.match(caller, /^[0-9a-f-]{36}$/, 'the engine adds _caller_worker_id')

  const res = await fetch(`${HTTP_URL}/functions/${encodeURIComponent(id)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'HTTP' }),
  })
  assert.equal(res.status, 200)
  assert.deepEqual(await res.json(), { message: 'Hello, HTTP!' })
})

test('a handler that returns nothing resolves undefined; one that throws rejects with invocation_failed', async () => {
  const provider = worker('provider2')
  const quiet = unique('compat::quiet')
  const boom = unique('compat::boom')
  provider.registerFunction(quiet, async () => undefined)
  provider.registerFunction(boom, async () => { throw new Error('boom') })
  await ready(provider)

  const client = worker('client2')
  assert.equal(await client.trigger({ function_id: quiet, payload: {} }), undefined)
  await assert.rejects(client.trigger({ function_id: boom, payload: {} }), (err) => {
    assert.equal(err.code, 'invocation_failed')
    assert.equal(err.message, 'invocation_failed: boom') // InvocationError prefixes the code
    return true
  })
})

test('calling an unknown function rejects with function_not_found', async () => {
  const client = worker('client3')
  await assert.rejects(client.trigger({ function_id: 'compat::nobody-home', payload: {} }), (err) => {
    assert.equal(err.code, 'function_not_found')
    assert.equal(err.message, 'function_not_found: Function compat::nobody-home not found')
    return true
  })
})

test('fnRef.unregister() removes the function', async () => {
  const provider = worker('provider4')
  const id = unique('compat::temp')
  const ref = provider.registerFunction(id, async () => 'here')
  await ready(provider)
  const client = worker('client4')
  assert.equal(await client.trigger({ function_id: id, payload: {} }), 'here')
  ref.unregister()
  await ready(provider)
  await assert.rejects(client.trigger({ function_id: id, payload: {} }), { code: 'function_not_found' })
})

test("a worker's functions and triggers are removed when it disconnects", async () => {
  const leaving = worker('leaving')
  const id = unique('compat::leaving')
  const stream = unique('leaving-stream')
  let fired = 0
  leaving.registerFunction(id, async () => { fired++; return 'alive' })
  leaving.registerTrigger({ type: 'stream', function_id: id, config: { stream_name: stream } })
  await ready(leaving)

  const client = worker('client5')
  assert.equal(await client.trigger({ function_id: id, payload: {} }), 'alive')
  await leaving.shutdown()
  await eventually(() => assert.rejects(client.trigger({ function_id: id, payload: {} }), { code: 'function_not_found' }))

  // Another worker takes the id: the stream trigger of the one that left must not call it.
  let firedAfter = 0
  const successor = worker('successor')
  successor.registerFunction(id, async () => { firedAfter++; return 'successor' })
  await ready(successor)
  await client.trigger({ function_id: 'stream::set', payload: { stream_name: stream, group_id: 'g', item_id: 'i', data: 1 } })
  await new Promise((r) => setTimeout(r, 300))
  assert.equal(firedAfter, 0)
  assert.equal(await client.trigger({ function_id: id, payload: {} }), 'successor')
  assert.equal(fired, 1)
})
