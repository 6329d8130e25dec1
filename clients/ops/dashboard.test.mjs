// Drives the dashboard in headless Chromium (playwright-core + the system's chromium):
// opens /dashboard/, writes through the HTTP API and sees the write in the live tail and the
// group's position, pauses
// and resumes the tail, and sees a group's subscriber count change when a WebSocket client
// joins and leaves. Env: STREAMNODE_HTTP_URL, STREAMNODE_STREAM_URL, CHROMIUM (executable).
// Exits 0 when every step held, 1 with the failed step otherwise.
import { chromium } from 'playwright-core';

const HTTP = process.env.STREAMNODE_HTTP_URL;
const STREAM = process.env.STREAMNODE_STREAM_URL;
// Each step's bound: generous, headless Chromium beside the JVM on a loaded 2-core CI machine is slow, not wrong.
const STEP_MS = 30000;

async function write(item, data) {
  const r = await fetch(HTTP + '/functions/stream::set', {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ stream_name: 'room', group_id: 'lobby', item_id: item, data }),
  });
  if (!r.ok) throw new Error('stream::set answered ' + r.status + ' ' + (await r.text()));
}

function step(name) { console.log('step: ' + name); }

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM, args: ['--no-sandbox'] });
let failed = false;
try {
  const page = await browser.newPage();
  page.on('console', (m) => console.log('[page] ' + m.text()));
  page.on('pageerror', (e) => console.log('[page error] ' + e.message));

  step('a group written through the HTTP API is listed');
  await write('first', { n: 1 });
  await page.goto(HTTP + '/dashboard/');
  const row = page.locator('#streams tr[data-stream="room"][data-group="lobby"]');
  await row.waitFor({ timeout: STEP_MS });
  await page.locator('#members tbody tr').first().waitFor({ timeout: STEP_MS });

  step('the live tail shows a write made through the HTTP API');
  await row.locator('button.watch').click();
  await page.waitForFunction(() => document.querySelector('#tail-state').textContent === 'connected', null, { timeout: STEP_MS });
  await page.locator('#tail li', { hasText: '"type":"sync"' }).first().waitFor({ timeout: STEP_MS });
  await write('second', 'hello-from-the-http-api');
  await page.locator('#tail li', { hasText: 'hello-from-the-http-api' }).first().waitFor({ timeout: STEP_MS });

  step("the tailed group's position (from the tail's frames) is shown");
  await page.waitForFunction(() => {
    const td = document.querySelector('#streams tr[data-stream="room"][data-group="lobby"] td.position');
    return td && /^.+\/\d+$/.test(td.textContent);
  }, null, { timeout: STEP_MS });

  step('pause holds frames back, resume shows them');
  await page.click('#pause');
  await write('third', 'written-while-paused');
  await page.waitForTimeout(1000);
  if (await page.locator('#tail li', { hasText: 'written-while-paused' }).count() !== 0) {
    throw new Error('a frame reached the tail while it was paused');
  }
  await page.click('#pause');
  await page.locator('#tail li', { hasText: 'written-while-paused' }).first().waitFor({ timeout: STEP_MS });

  step('the subscriber count follows a WebSocket client joining and leaving');
  const subscribers = row.locator('td.subscribers');
  const count = async () => Number(await subscribers.textContent());
  await page.waitForFunction(() => {
    const td = document.querySelector('#streams tr[data-stream="room"][data-group="lobby"] td.subscribers');
    return td && Number(td.textContent) >= 1; // the tail's own subscription
  }, null, { timeout: STEP_MS });
  const before = await count();
  const client = await browser.newPage();
  await client.evaluate((url) => new Promise((resolve, reject) => {
    window.ws = new WebSocket(url);
    window.ws.onopen = () => {
      window.ws.send(JSON.stringify({ type: 'join', data: { subscriptionId: 'browser-client', streamName: 'room', groupId: 'lobby' } }));
      resolve();
    };
    window.ws.onerror = () => reject(new Error('client WebSocket failed'));
  }), STREAM);
  await page.waitForFunction((n) => {
    const td = document.querySelector('#streams tr[data-stream="room"][data-group="lobby"] td.subscribers');
    return td && Number(td.textContent) === n;
  }, before + 1, { timeout: STEP_MS });
  await page.locator('#presence td', { hasText: 'browser-client' }).first().waitFor({ timeout: STEP_MS });
  await client.evaluate(() => window.ws.close());
  await page.waitForFunction((n) => {
    const td = document.querySelector('#streams tr[data-stream="room"][data-group="lobby"] td.subscribers');
    return td && Number(td.textContent) === n;
  }, before, { timeout: STEP_MS });
  console.log('dashboard: all steps passed (subscribers ' + before + ' -> ' + (before + 1) + ' -> ' + before + ')');
} catch (e) {
  failed = true;
  console.log('dashboard test failed: ' + e.stack);
} finally {
  await browser.close();
}
process.exit(failed ? 1 : 0);
