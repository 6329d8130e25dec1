// `http` triggers registered by the real iii-sdk: the route calls the worker's function with iii's
// request object, and its condition and middleware run as on iii.
import assert from 'node:assert/strict'
import { after, test } from 'node:test'
import { HTTP_URL, eventually, ready, shutdownAll, unique, worker } from '../support/helpers.mjs'

after(shutdownAll)

test('an http trigger serves its route with path and query parameters, headers both ways', async () => {
  const iii = worker('http-route')
  const base = `/${unique('orders')}`
  iii.registerFunction('compat::order', async (req) => ({
    status_code: 201,
    headers: ['X-Order: ' + req.path_params.id, 'Content-Type: application/json'],
    body: { id: req.path_params.id, q: req.query_params.q, caller: req.headers['x-caller'], body: req.body, trigger: req.trigger },
  }))
  iii.registerTrigger({ type: 'http', function_id: 'compat::order', config: { api_path: `${base}/:id`, http_method: 'POST' } })
  await ready(iii)

  const res = await eventually(async () => {
    const r = await fetch(`${HTTP_URL}${base}/o-1?q=x%20y`, {
      method: 'POST', headers: { 'content-type': 'application/json', 'x-caller': 'node' }, body: '{"n":1}',
    })
    assert.equal(r.status, 201)
    return r
  })
  assert.equal(res.headers.get('x-order'), 'o-1')
  assert.deepEqual(await res.json(), {
    id: 'o-1', q: 'x y', caller: 'node', body: { n: 1 }, trigger: { type: 'http', path: `${base}/:id`, method: 'POST' },
  })
})

test('a condition answering false is 422 skipped; a middleware that responds ends the request', async () => {
  const iii = worker('http-guards')
  const path = `/${unique('guarded')}`
  iii.registerFunction('compat::guarded', async () => ({ status_code: 200, body: { ran: true } }))
  iii.registerFunction('compat::only-vip', async (req) => req.query_params.vip === 'yes')
  iii.registerFunction('compat::need-key', async (req) => (req.request.headers['x-key'] === 'k'
    ? { action: 'continue' }
    : { action: 'respond', response: { status_code: 401, body: { error: 'no key' } } }))
  iii.registerTrigger({
    type: 'http',
    function_id: 'compat::guarded',
    config: {
      api_path: path, http_method: 'GET',
      condition_function_id: 'compat::only-vip', middleware_function_ids: ['compat::need-key'],
    },
  })
  await ready(iii)

  const skipped = await eventually(async () => {
    const r = await fetch(`${HTTP_URL}${path}?vip=no`, { headers: { 'x-key': 'k' } })
    assert.equal(r.status, 422)
    return r.json()
  })
  assert.deepEqual(skipped, { error: { code: 'CONDITION_NOT_MET', message: 'Request condition not met' }, skipped: true })

  const refused = await fetch(`${HTTP_URL}${path}?vip=yes`)
  assert.equal(refused.status, 401)
  assert.deepEqual(await refused.json(), { error: 'no key' })

  const served = await fetch(`${HTTP_URL}${path}?vip=yes`, { headers: { 'x-key': 'k' } })
  assert.equal(served.status, 200)
  assert.deepEqual(await served.json(), { ran: true })
})
