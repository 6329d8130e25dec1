// Shared set-up for the compatibility suite: where the node is, how to make a worker with the
// real iii-sdk, and small waiting helpers. Nothing here talks the protocol by hand except
// openStreamSocket(), which is the browser's side of the stream socket.
import { randomUUID } from 'node:crypto'
import { registerWorker } from 'iii-sdk'
import WebSocket from 'ws'

export const WORKER_URL = process.env.STREAMNODE_WORKER_URL ?? 'ws://127.0.0.1:49134'
export const STREAM_URL = process.env.STREAMNODE_STREAM_URL ?? 'ws://127.0.0.1:3112'
export const HTTP_URL = process.env.STREAMNODE_HTTP_URL ?? 'http://127.0.0.1:3111'
// A second node started with http_api.token and worker_socket.token (token.test.mjs); unset: skipped.
export const SECURE = process.env.STREAMNODE_SECURE_WORKER_URL ? {
  workerUrl: process.env.STREAMNODE_SECURE_WORKER_URL,
  httpUrl: process.env.STREAMNODE_SECURE_HTTP_URL,
  workerToken: process.env.STREAMNODE_SECURE_WORKER_TOKEN,
  httpToken: process.env.STREAMNODE_SECURE_HTTP_TOKEN,
} : null

// The public worker socket of the first node (public.test.mjs): its auth function is
// compat::public_auth, served by the test itself; unset: skipped.
export const PUBLIC_WORKER_URL = process.env.STREAMNODE_PUBLIC_WORKER_URL ?? null

const workers = new Set()

/**
 * How long a test waits for something that should happen at once (a frame, a handler call, a
 * route). Generous: this suite runs beside the JVM on a loaded 2-core CI machine, where a few
 * seconds of GC and JIT are normal; a passing test never waits it out.
 */
export const WAIT_MS = 30_000

/**
 * A worker made by the real SDK; shut down by shutdownAll().
 *
 * OTel is off: iii-sdk 0.22.1 keeps its telemetry in process-global state, and when several
 * workers overlap in one process, shutting one down and starting another leaves telemetry
 * sockets open, so `node --test` never exits. The node's /otel endpoint itself is covered by
 * WorkerHandshakeTest.
 */
export function worker(name, { url = WORKER_URL, headers } = {}) {
  const iii = registerWorker(url, {
    workerName: `compat-${name}`,
    headers,
    otel: { enabled: false },
    invocationTimeoutMs: WAIT_MS,
    reconnectionConfig: { maxRetries: 0 },
  })
  workers.add(iii)
  return iii
}

/**
 * Resolves once everything this worker sent before has been handled by the node: frames on one
 * connection are processed in order, so a round trip after registrations proves they landed.
 */
export async function ready(iii) {
  await iii.trigger({ function_id: 'stream::list_all', payload: {} })
}

export async function shutdownAll() {
  await Promise.all([...workers].map((w) => w.shutdown()))
  workers.clear()
}

/** A promise with its resolve function, for handlers that signal the test. */
export function signal() {
  let resolve
  const promise = new Promise((r) => { resolve = r })
  return { promise, resolve }
}

export function within(promise, ms = WAIT_MS, what = 'event') {
  return Promise.race([
    promise,
    new Promise((_, reject) => setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms).unref()),
  ])
}

export async function eventually(check, ms = WAIT_MS) {
  const deadline = Date.now() + ms
  let last
  while (Date.now() < deadline) {
    try {
      return await check()
    } catch (err) {
      last = err
      await new Promise((r) => setTimeout(r, 100))
    }
  }
  throw last
}

export const unique = (prefix) => `${prefix}-${randomUUID().slice(0, 8)}`

/**
 * A raw stream-socket client (what a browser does), collecting the wrapper frames it receives.
 * `path` is appended to the stream URL, e.g. '/?token=abc'.
 */
export async function openStreamSocket(path = '') {
  const ws = new WebSocket(STREAM_URL + path)
  const frames = []
  const waiters = []
  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString())
    frames.push(frame)
    for (const w of [...waiters]) {
      if (w.match(frame)) {
        waiters.splice(waiters.indexOf(w), 1)
        w.resolve(frame)
      }
    }
  })
  await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject) })
  return {
    ws,
    frames,
    send: (msg) => ws.send(JSON.stringify(msg)),
    next: (match, what, ms = WAIT_MS) => {
      const seen = frames.find(match)
      if (seen) return Promise.resolve(seen)
      const { promise, resolve } = signal()
      waiters.push({ match, resolve })
      return within(promise, ms, what)
    },
    close: () => new Promise((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve()
      ws.once('close', resolve)
      ws.close()
    }),
  }
}
