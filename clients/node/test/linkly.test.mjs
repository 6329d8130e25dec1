// The iii Linkly tutorial's click streaming (examples/linkly) end to end: the example's own `link`
// and `click-streamer` workers run as child processes, exactly as `node link.mjs` and
// `node click-streamer.mjs` in its README, with the example's own node_modules (its pinned
// iii-sdk). The tutorial's "See it work" commands, taken from the example's README, run in bash
// against the `link` worker's http routes; a stream-socket subscriber on clicks/all must see every
// click as a `create` whose item id is `${code}-${clicked_at}`, and stream::list must hold them.
import assert from 'node:assert/strict'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { after, before, test } from 'node:test'
import {
  HTTP_URL, STREAM_URL, WAIT_MS, WORKER_URL, eventually, openStreamSocket, shutdownAll, unique, worker,
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

/** POST /functions/{id}: the function API, for stream::list and stream::get. */
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

/** The tutorial's `curl -X POST /links`: the link worker's http route. */
async function createLink(url, code) {
  const res = await fetch(`${HTTP_URL}/links`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url, code }),
  })
  return { status: res.status, type: res.headers.get('content-type'), body: await res.json() }
}

/** The tutorial's `curl /s/<code>`, not following the redirect. */
async function follow(code) {
  const res = await fetch(`${HTTP_URL}/s/${encodeURIComponent(code)}`, { redirect: 'manual' })
  const text = await res.text()
  return { status: res.status, location: res.headers.get('location'), body: text ? JSON.parse(text) : undefined }
}

const CLI = JSON.parse(process.env.STREAMNODE_CLI ?? '["java","-cp","../../target/streamnode.jar","io.streamnode.Main"]')
const shellQuote = (word) => `'${word.replaceAll("'", "'\\''")}'`

/**
 * The README's "See it work" block, as it is, made to reach this suite's node: its address is
 * this node's HTTP API, and `scripts/streamnode trigger` is the CLI on this build's classpath
 * with this node's worker socket (the script would build a jar first).
 */
function seeItWorkScript() {
  const readme = readFileSync(new URL('README.md', `file://${EXAMPLE_DIR}`), 'utf8')
  const block = readme.split('<!-- see-it-work')[1]?.match(/```bash\n([\s\S]*?)```/)?.[1]
  assert.ok(block, 'examples/linkly/README.md has no see-it-work bash block')
  assert.match(block, /curl -s -X POST http:\/\/127\.0\.0\.1:3111\/links/)
  assert.match(block, /scripts\/streamnode trigger stream::list stream_name=clicks group_id=all/)
  const trigger = [...CLI, 'trigger'].map(shellQuote).join(' ')
  const port = new URL(WORKER_URL).port
  return `streamnode_trigger() { ${trigger} "$@" --address 127.0.0.1 --port ${port}; }\n`
    + block.replaceAll('http://127.0.0.1:3111', HTTP_URL).replaceAll('scripts/streamnode trigger', 'streamnode_trigger')
}

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
    // Two child processes start beside the JVM: bounds for a loaded CI machine. A click made
    // before click-streamer subscribed is lost, so each try waits a few seconds, then clicks again.
    await eventually(async () => {
      const created = await createLink('https://iii.dev', 'linkly-warm-up')
      assert.equal(created.status, 201, JSON.stringify(created))
    }, 2 * WAIT_MS)
    await eventually(async () => {
      const sent = Date.now()
      assert.equal((await follow('linkly-warm-up')).status, 302)
      await socket.next((f) => f.event.type === 'create' && f.event.data.code === 'linkly-warm-up'
        && Date.parse(f.event.data.clicked_at) >= sent - 1, 'warm-up click', 5_000)
    }, 2 * WAIT_MS)
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

test("the tutorial's See it work commands leave three clicks in stream::list", async () => {
  const run = spawnSync('bash', ['-c', seeItWorkScript()], { encoding: 'utf8', timeout: 120_000 })
  assert.equal(run.status, 0, `the README's commands failed:\n${run.stdout}\n${run.stderr}`)
  // curl -X POST /links prints the new link (no newline), the curls of /s/ print nothing, then
  // the CLI prints stream::list's result.
  const link = '{"code":"stream-me","url":"https://iii.dev"}'
  assert.ok(run.stdout.startsWith(link), run.stdout)
  const printed = JSON.parse(run.stdout.slice(link.length)).filter((c) => c.code === 'stream-me')

  // The third click may still be on its way when the list runs in the same instant (the link
  // worker publishes it, click-streamer stores it): read again until it is there.
  const clicks = await eventually(async () => {
    const stored = (await call('stream::list', { stream_name: 'clicks', group_id: 'all' })).filter((c) => c.code === 'stream-me')
    assert.equal(stored.length, 3, JSON.stringify(stored))
    return stored
  })
  assert.ok(printed.length >= 1, run.stdout)
  assert.deepEqual(printed, clicks.slice(0, printed.length), 'the CLI printed the stored clicks')
  for (const click of clicks) {
    assert.match(click.clicked_at, ISO_MS)
    assert.deepEqual(Object.keys(click).sort(), ['_caller_worker_id', 'clicked_at', 'code'])
  }
})

test('each followed link reaches clicks/all live as a create with id `${code}-${clicked_at}`', async () => {
  const code = unique('stream-me')
  const created = await createLink('https://iii.dev', code)
  assert.deepEqual(created, { status: 201, type: 'application/json', body: { code, url: 'https://iii.dev' } })

  const seen = []
  for (let n = 0; n < 3; n++) {
    const before = new Date()
    const redirect = await follow(code)
    assert.equal(redirect.status, 302)
    assert.equal(redirect.location, 'https://iii.dev')
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

  // An unknown code is the handler's own 404 and no click.
  assert.deepEqual(await follow(unique('missing')), { status: 404, location: null, body: { error: 'link not found' } })
  // A link without a url is the handler's 400.
  assert.deepEqual(await createLink(undefined, unique('no-url')),
    { status: 400, type: 'application/json', body: { error: 'missing "url"' } })

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
