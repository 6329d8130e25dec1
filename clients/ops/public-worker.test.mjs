// Drives a page in headless Chromium (playwright-core + the system's chromium) against the
// public worker socket: without a token, or with a wrong one, the page's WebSocket is refused
// (an AUTH_ERROR frame, then a close); with the token (a query parameter: browsers cannot set
// headers on a WebSocket) it subscribes to a group with a function and a `stream` trigger and
// receives a write made through the HTTP API. Env: PAGE_URL (the page, served by the Java test),
// STREAMNODE_PUBLIC_WORKER_URL, STREAMNODE_HTTP_URL, CHROMIUM. Exits 0 when every step held.
import { chromium } from 'playwright-core';

const PAGE = process.env.PAGE_URL;
const PUBLIC = process.env.STREAMNODE_PUBLIC_WORKER_URL;
const HTTP = process.env.STREAMNODE_HTTP_URL;
const STEP_MS = 15000;

function step(name) { console.log('step: ' + name); }

function expectRefused(outcome, what) {
  const first = outcome.frames[0];
  if (!outcome.closed || !first || first.type !== 'error' || first.error.code !== 'AUTH_ERROR'
      || outcome.frames.some((f) => f.type === 'workerregistered')) {
    throw new Error(what + ' was not refused: ' + JSON.stringify(outcome));
  }
}

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: ['--no-sandbox'] });
let failed = false;
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.log('[page] ' + m.text()));
  page.on('pageerror', (e) => console.log('[page error] ' + e.message));
  await page.goto(PAGE);

  step('without a token the page is refused');
  expectRefused(await page.evaluate((url) => window.tryConnect(url), PUBLIC), 'a connection without a token');

  step('with a wrong token the page is refused');
  expectRefused(await page.evaluate((url) => window.tryConnect(url + '?token=wrong'), PUBLIC), 'a wrong token');

  step('with the token the page subscribes to a group');
  await page.evaluate((url) => window.subscribe(url + '?token=good', 'clicks', 'all'), PUBLIC);

  step('a write through the HTTP API reaches the page live');
  const res = await fetch(HTTP + '/functions/stream::set', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stream_name: 'clicks', group_id: 'all', item_id: 'c-17', data: { x: 3 } }),
  });
  if (!res.ok) throw new Error('stream::set answered ' + res.status + ' ' + (await res.text()));
  await page.waitForFunction(() => window.events.length > 0, null, { timeout: STEP_MS });
  const event = (await page.evaluate(() => window.events))[0];
  if (event.type !== 'stream' || event.streamName !== 'clicks' || event.groupId !== 'all' || event.id !== 'c-17'
      || event.event.type !== 'create' || event.event.data.x !== 3) {
    throw new Error('unexpected event ' + JSON.stringify(event));
  }
  console.log('ok: every step held');
} catch (e) {
  failed = true;
  console.log('FAILED: ' + (e && e.stack || e));
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
