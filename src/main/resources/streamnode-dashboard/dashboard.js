// streamnode dashboard: no build step, no dependency. Everything shown comes from what any script
// can read: the function API (POST /functions/{id}: streamnode::members, stream::list_all,
// stream::list, streamnode::presence), GET /metrics, GET /ready, and a stream-socket WebSocket
// for the live tail (a join like any client's, with "presence": true).
'use strict';

const POLL_MS = 2000;
const WINDOW_MS = 5 * 60 * 1000;
const TAIL_MAX = 200;

const $ = (sel) => document.querySelector(sel);
const tokenInput = $('#token');
tokenInput.value = localStorage.getItem('streamnode.token') || '';
tokenInput.addEventListener('change', () => { localStorage.setItem('streamnode.token', tokenInput.value); refresh(); });

function headers(extra) {
  const h = Object.assign({}, extra || {});
  if (tokenInput.value) h.authorization = 'Bearer ' + tokenInput.value;
  return h;
}

async function call(fn, input) {
  const r = await fetch('/functions/' + encodeURIComponent(fn), {
    method: 'POST', headers: headers({ 'content-type': 'application/json' }), body: JSON.stringify(input || {}),
  });
  if (r.status === 401) throw new Error('401: enter the HTTP API token');
  if (r.status === 204) return null;
  const body = await r.json();
  if (!r.ok) throw new Error(fn + ': ' + (body.error ? body.error.code + ' ' + body.error.message : r.status));
  return body;
}

function cell(row, text, cls) {
  const td = document.createElement('td');
  td.textContent = text === undefined || text === null ? '' : String(text);
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

// ---------------------------------------------------------------- members (rates from totals)
const lastTotals = new Map();

function renderMembers(members) {
  const tbody = $('#members tbody');
  tbody.replaceChildren();
  const now = Date.now();
  for (const m of members) {
    const prev = lastTotals.get(m.node);
    let evRate = '', delRate = '';
    if (prev) {
      const dt = (now - prev.at) / 1000;
      evRate = ((m.events_published - prev.events) / dt).toFixed(1);
      delRate = ((m.frames_delivered - prev.deliveries) / dt).toFixed(1);
    }
    lastTotals.set(m.node, { at: now, events: m.events_published, deliveries: m.frames_delivered });
    const tr = document.createElement('tr');
    tr.dataset.node = m.node;
    cell(tr, m.node.slice(0, 8));
    cell(tr, streamSocketUrl(m));
    cell(tr, m.connections, 'num connections');
    cell(tr, m.worker_connections, 'num');
    cell(tr, m.subscriptions, 'num');
    cell(tr, evRate, 'num');
    cell(tr, delRate, 'num');
    tbody.appendChild(tr);
  }
}

function streamSocketUrl(member) {
  const s = member.stream_socket || {};
  const host = !s.host || s.host === '0.0.0.0' || s.host === '::' ? location.hostname : s.host;
  return 'ws://' + host + ':' + s.port + '/';
}

// ---------------------------------------------------------------- rates chart from /metrics
const samples = [];

function metricSum(text, name) {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(name) && (line[name.length] === ' ' || line[name.length] === '{')) {
      const v = parseFloat(line.slice(line.lastIndexOf(' ') + 1));
      if (!Number.isNaN(v)) sum += v;
    }
  }
  return sum;
}

async function pollMetrics() {
  const r = await fetch('/metrics', { headers: headers() });
  if (!r.ok) return;
  const text = await r.text();
  samples.push({ at: Date.now(), events: metricSum(text, 'streamnode_events_published_total'),
    deliveries: metricSum(text, 'streamnode_frames_delivered_total') });
  while (samples.length && samples[0].at < Date.now() - WINDOW_MS) samples.shift();
  drawChart();
}

function drawChart() {
  const canvas = $('#rates');
  const g = canvas.getContext('2d');
  g.clearRect(0, 0, canvas.width, canvas.height);
  const rates = [];
  for (let i = 1; i < samples.length; i++) {
    const dt = (samples[i].at - samples[i - 1].at) / 1000;
    rates.push({ at: samples[i].at, events: (samples[i].events - samples[i - 1].events) / dt,
      deliveries: (samples[i].deliveries - samples[i - 1].deliveries) / dt });
  }
  const max = Math.max(1, ...rates.map((r) => Math.max(r.events, r.deliveries)));
  const now = Date.now();
  const x = (at) => canvas.width - ((now - at) / WINDOW_MS) * canvas.width;
  const y = (v) => canvas.height - 14 - (v / max) * (canvas.height - 24);
  g.fillStyle = '#667';
  g.font = '11px sans-serif';
  g.fillText(max.toFixed(1) + '/s', 4, 12);
  for (const [key, color] of [['events', '#2a6fdb'], ['deliveries', '#e67e22']]) {
    g.strokeStyle = color;
    g.beginPath();
    rates.forEach((r, i) => (i ? g.lineTo(x(r.at), y(r[key])) : g.moveTo(x(r.at), y(r[key]))));
    g.stroke();
  }
}

// ---------------------------------------------------------------- streams, groups, presence
let selected = null; // {stream, group}
// Group positions ({epoch, offset}) as the tail's frames carry them: the tail joins with
// "positions": true, so only the tailed group's position is known here.
const positions = new Map();

async function renderStreams() {
  const all = await call('stream::list_all', {});
  const tbody = $('#streams tbody');
  const rows = [];
  for (const s of all.stream || []) {
    for (const group of s.groups) {
      const [items, presence] = await Promise.all([
        call('stream::list', { stream_name: s.id, group_id: group }),
        call('streamnode::presence', { stream_name: s.id, group_id: group }),
      ]);
      const tr = document.createElement('tr');
      tr.dataset.stream = s.id;
      tr.dataset.group = group;
      cell(tr, s.id);
      cell(tr, group);
      cell(tr, Array.isArray(items) ? items.length : '', 'num items');
      cell(tr, presence.count, 'num subscribers');
      cell(tr, positions.get(JSON.stringify([s.id, group])) || '', 'position');
      const td = cell(tr, '');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'watch';
      button.textContent = 'tail + presence';
      button.addEventListener('click', () => select(s.id, group));
      td.appendChild(button);
      rows.push(tr);
    }
  }
  tbody.replaceChildren(...rows);
}

async function renderPresence() {
  if (!selected) return;
  const p = await call('streamnode::presence', { stream_name: selected.stream, group_id: selected.group });
  $('#presence-group').textContent = selected.stream + ' / ' + selected.group + ' — ' + p.count + ' subscriber(s)';
  const tbody = $('#presence tbody');
  tbody.replaceChildren(...p.subscriptions.map((s) => {
    const tr = document.createElement('tr');
    cell(tr, s.subscription_id);
    cell(tr, String(s.node).slice(0, 8));
    cell(tr, s.context === undefined ? '' : JSON.stringify(s.context));
    cell(tr, new Date(s.joined_at).toLocaleTimeString());
    return tr;
  }));
}

// ---------------------------------------------------------------- live tail
let socket = null;
let paused = false;
let held = [];
let socketUrl = null;

function select(stream, group) {
  selected = { stream, group };
  $('#tail-group').textContent = stream + ' / ' + group;
  $('#tail').replaceChildren();
  held = [];
  openTail();
  renderPresence().catch(showError);
}

function openTail() {
  if (socket) socket.close();
  if (!selected || !socketUrl) return;
  const sub = 'dashboard-' + Math.random().toString(36).slice(2);
  socket = new WebSocket(socketUrl);
  socket.onopen = () => {
    $('#tail-state').textContent = 'connected';
    $('#pause').disabled = false;
    socket.send(JSON.stringify({ type: 'join', data: { subscriptionId: sub, streamName: selected.stream,
      groupId: selected.group, presence: true, positions: true } }));
  };
  socket.onmessage = (msg) => {
    try {
      const frame = JSON.parse(msg.data);
      if (frame.position) {
        const p = frame.position.epoch + '/' + frame.position.offset;
        positions.set(JSON.stringify([frame.streamName, frame.groupId]), p);
        const row = document.querySelector('#streams tr[data-stream="' + CSS.escape(frame.streamName) + '"][data-group="'
          + CSS.escape(frame.groupId) + '"] td.position');
        if (row) row.textContent = p;
      }
    } catch (e) { /* not JSON: shown as it is */ }
    if (paused) held.push(msg.data); else addTail(msg.data);
  };
  socket.onclose = () => { $('#tail-state').textContent = 'closed'; };
}

function addTail(text) {
  const li = document.createElement('li');
  li.textContent = text;
  const list = $('#tail');
  list.prepend(li);
  while (list.children.length > TAIL_MAX) list.lastChild.remove();
}

$('#pause').addEventListener('click', () => {
  paused = !paused;
  $('#pause').textContent = paused ? 'resume' : 'pause';
  $('#tail-state').textContent = paused ? 'paused' : 'connected';
  if (!paused) { held.forEach(addTail); held = []; }
});

// ---------------------------------------------------------------- loop
function showError(e) { $('#error').textContent = e.message; }

async function refresh() {
  try {
    const ready = await fetch('/ready').then((r) => r.json());
    const badge = $('#ready');
    badge.textContent = ready.status + (ready.reasons ? ': ' + ready.reasons.join(', ') : '');
    badge.className = 'badge ' + ready.status;
    const members = await call('streamnode::members', {});
    renderMembers(members.members);
    const url = members.members.map(streamSocketUrl).find((u) => !u.endsWith(':-1/'));
    if (url && url !== socketUrl) { socketUrl = url; openTail(); }
    await renderStreams();
    await renderPresence();
    await pollMetrics();
    $('#error').textContent = '';
  } catch (e) {
    showError(e);
  }
}

refresh();
setInterval(refresh, POLL_MS);
