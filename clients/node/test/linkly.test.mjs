// The iii Linkly tutorial's click streaming (examples/linkly) end to end: the example's own `link`
// and `click-streamer` workers run as child processes, exactly as `node link.mjs` and
// `node click-streamer.mjs` in its README, with the example's own node_modules (its pinned
// iii-sdk). A stream-socket subscriber on clicks/all must see every click as a `create` whose
// item id is `${code}-${clicked_at}`, and stream::list must hold them.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { after, before, test } from 'node:test'
import {
  HTTP_URL, STREAM_URL, WORKER_URL, eventually, openStreamSocket, shutdownAll, unique, worker,
} from '../support/helpers.mjs'

const EXAMPLE_DIR = fileURLToPath(new URL('../../../examples/linkly/', import.meta.url))
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/

const children = []

/** Starts one of the example's scripts against this suite's node; its output is kept for failures. */
function startExample(script) {
  const child = spawn(process.execPath, [script], {
    cwd: EXAMPLE_DIR,
    env: { ...process.env, STREAMNODE_WORKER_URL: WORKER_URL, STREAMNODE_STREAM_URL: STREAM_URL, STREAMNODE_HTTP_URL: HTTP_URL },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  const entry = { script, child, output: '', exited: new Promise((resolve) => child.once('exit', resolve)) }
  child.stdout.on('data', (d) => { entry.output += d })
  child.stderr.on('data', (d) => { entry.output += d })
  children.push(entry)
  return entry
}

const outputs = () => children.map((c) => `--- ${c.script} (exit ${c.child.exitCode})\n${c.output}`).join('\n')

/** POST /functions/{id}: how this suite calls the tutorial's http:: handlers (streamnode has no http trigger). */
async function call(functionId, input) {
  const res = await fetch(`${HTTP_URL}/functions/${encodeURIComponent(functionId)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(input),
  })
  const body = res.status === 204 ? undefined : await res.json()
  assert.equal(res.status, 200, `${functionId}: HTTP ${res.status} ${JSON.stringify(body)}`)
  return body
}

/** The tutorial's `curl http://127.0.0.1:3111/s/<code>`, as the http worker would call the handler. */
const follow = (code) => call('http::redirect', { path_params: { code } })

let socket

before(async () => {
  assert.ok(existsSync(new URL('node_modules/iii-sdk/package.json', `file://${EXAMPLE_DIR}`)),
    `examples/linkly has no node_modules: run \`npm ci\` in ${EXAMPLE_DIR} (IiiSdkCompatibilityTest does)`)
  startExample('link.mjs')
  startExample('click-streamer.mjs')
  socket = await openStreamSocket()
  socket.send({ type: 'join', data: { subscriptionId: 'clicks', streamName: 'clicks', groupId: 'all' } })
  await socket.next((f) => f.streamName === 'clicks' && f.event.type === 'sync', 'sync of clicks/all')

  // Ready = a click on a warm-up link has gone all the way to the stream: the link worker's
  // functions and the click-streamer's subscribe trigger are both registered.
  try {
    await eventually(async () => {
      const created = await call('http::create', { body: { url: 'https://iii.dev', code: 'linkly-warm-up' } })
      assert.equal(created.status_code, 201, JSON.stringify(created))
    }, 20_000)
    await eventually(async () => {
      const sent = Date.now()
      await follow('linkly-warm-up')
      await socket.next((f) => f.event.type === 'create' && f.event.data.code === 'linkly-warm-up'
        && Date.parse(f.event.data.clicked_at) >= sent - 1, 'warm-up click')
    }, 20_000)
  } catch (err) {
    err.message += `\n${outputs()}`
    throw err
  }
})

after(async () => {
  await socket?.close()
  for (const { child } of children) child.kill('SIGTERM')
  await Promise.all(children.map((c) => c.exited))
  await shutdownAll()
})

test('each followed link reaches clicks/all live as a create with id `${code}-${clicked_at}`', async () => {
  const code = unique('stream-me')
  const created = await call('http::create', { body: { url: 'https://iii.dev', code } })
  assert.deepEqual(created, {
    status_code: 201, body: { code, url: 'https://iii.dev' }, headers: { 'Content-Type': 'application/json' },
  })

  const seen = []
  for (let n = 0; n < 3; n++) {
    const before = new Date()
    const redirect = await follow(code)
    assert.deepEqual(redirect, { status_code: 302, headers: { Location: 'https://iii.dev' } })
    // One click at a time: clicked_at has millisecond resolution, and two clicks in the same
    // millisecond would be one item (an update), as in iii.
    const frame = await socket.next((f) => f.event.type === 'create' && f.event.data.code === code
      && !seen.some((s) => s.id === f.id), `create frame for click ${n + 1}`)
    assert.equal(frame.type, 'stream')
    assert.equal(frame.streamName, 'clicks')
    assert.equal(frame.groupId, 'all')
    assert.equal(typeof frame.timestamp, 'number')
    const click = frame.event.data
    assert.match(click.clicked_at, ISO_MS)
    assert.ok(Date.parse(click.clicked_at) >= before.getTime() && Date.parse(click.clicked_at) <= Date.now(),
      `clicked_at ${click.clicked_at} is when the redirect ran`)
    assert.equal(frame.id, `${code}-${click.clicked_at}`)
    // The tutorial publishes link::record_click's payload as it is: {code, clicked_at}, plus the
    // `_caller_worker_id` the engine adds to every worker-to-worker call's input (iii does too).
    assert.deepEqual(Object.keys(click).sort(), ['_caller_worker_id', 'clicked_at', 'code'])
    assert.match(click._caller_worker_id, UUID)
    seen.push(frame)
  }

  // An unknown code is a 404 and no click.
  assert.deepEqual(await follow(unique('missing')), {
    status_code: 404, body: { error: 'link not found' }, headers: { 'Content-Type': 'application/json' },
  })

  const stored = (await call('stream::list', { stream_name: 'clicks', group_id: 'all' })).filter((c) => c.code === code)
  assert.deepEqual(stored, seen.map((f) => f.event.data), 'stream::list holds the clicks, in click order')
  for (const frame of seen) {
    assert.deepEqual(await call('stream::get', { stream_name: 'clicks', group_id: 'all', item_id: frame.id }),
      frame.event.data)
  }
})

test('a click recorded through the SDK is streamed with the data the link worker was given', async () => {
  const client = worker('linkly-client')
  const code = unique('sdk')
  const clicked_at = new Date().toISOString()
  assert.deepEqual(await client.trigger({ function_id: 'link::record_click', payload: { code, clicked_at } }),
    { recorded: true })

  const frame = await socket.next((f) => f.event.type === 'create' && f.event.data.code === code, 'create frame')
  assert.equal(frame.id, `${code}-${clicked_at}`)
  assert.equal(frame.event.data.clicked_at, clicked_at)
  assert.match(frame.event.data._caller_worker_id, UUID)

  const stored = await call('stream::get', { stream_name: 'clicks', group_id: 'all', item_id: `${code}-${clicked_at}` })
  assert.deepEqual(stored, frame.event.data)
})
