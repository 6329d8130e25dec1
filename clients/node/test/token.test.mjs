// worker_socket.token and http_api.token, with the unmodified iii-sdk: it sends the token through
// its `headers` option on the WebSocket upgrade. Runs against the second node that
// IiiSdkCompatibilityTest starts with both tokens set.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import WebSocket from 'ws'
import { SECURE, ready, shutdownAll, unique, worker } from '../support/helpers.mjs'

after(shutdownAll)

const skip = SECURE ? false : 'STREAMNODE_SECURE_WORKER_URL is not set (run through IiiSdkCompatibilityTest)'

function upgradeStatus(url, headers = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.once('open', () => { ws.close(); resolve(101) })
    ws.once('unexpected-response', (req, res) => { resolve(res.statusCode); req.destroy() })
    ws.once('error', (err) => { if (!err.message.includes('Unexpected server response')) reject(err) })
  })
}

test('a worker with the token in its headers registers and calls functions', { skip }, async () => {
  const headers = { Authorization: `Bearer ${SECURE.workerToken}` }
  const provider = worker('token-provider', { url: SECURE.workerUrl, headers })
  const id = unique('token::hello')
  provider.registerFunction(id, async (input) => ({ hello: input.name }))
  await ready(provider)
  const client = worker('token-client', { url: SECURE.workerUrl, headers })
  assert.deepEqual(await client.trigger({ function_id: id, payload: { name: 'sdk' } }), { hello: 'sdk' })

  const res = await fetch(`${SECURE.httpUrl}/functions/${encodeURIComponent(id)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${SECURE.httpToken}` },
    body: JSON.stringify({ name: 'http' }),
  })
  assert.equal(res.status, 200)
  assert.deepEqual(await res.json(), { hello: 'http' })
})

test('an upgrade without the token, or with a wrong one, is refused with 401', { skip }, async () => {
  assert.equal(await upgradeStatus(SECURE.workerUrl), 401)
  assert.equal(await upgradeStatus(SECURE.workerUrl, { Authorization: 'Bearer wrong' }), 401)
  assert.equal(await upgradeStatus(SECURE.workerUrl, { Authorization: `Bearer ${SECURE.workerToken}` }), 101)
})

test('an sdk worker without the token never gets its function registered', { skip }, async () => {
  const id = unique('token::intruder')
  const intruder = worker('token-intruder', { url: SECURE.workerUrl })
  intruder.registerFunction(id, async () => ({ pwned: true }))
  await new Promise((r) => setTimeout(r, 500))
  const client = worker('token-checker', { url: SECURE.workerUrl,
    headers: { Authorization: `Bearer ${SECURE.workerToken}` } })
  await assert.rejects(client.trigger({ function_id: id, payload: {} }), (err) => {
    assert.equal(err.code, 'function_not_found')
    return true
  })
})

test('an HTTP call without the token gets 401 and the usual error body', { skip }, async () => {
  const res = await fetch(`${SECURE.httpUrl}/functions/stream::list_all`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}',
  })
  assert.equal(res.status, 401)
  assert.equal((await res.json()).error.code, 'unauthorized')
})

test('a no-cors style text/plain POST is refused on the open node too', async () => {
  const { HTTP_URL } = await import('../support/helpers.mjs')
  const res = await fetch(`${HTTP_URL}/functions/stream::set`, {
    method: 'POST',
    headers: { 'content-type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify({ stream_name: 'nocors', group_id: 'g', item_id: 'i', data: 1 }),
  })
  assert.equal(res.status, 415)
})
