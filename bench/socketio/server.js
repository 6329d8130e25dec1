// Socket.IO 4 reference server for the streamnode benchmark.
//
// Same contract as streamnode and the raw Vert.x ceiling, so one load generator drives all three:
// - Socket.IO on the socket port: a client emits "join" {subscriptionId, streamName, groupId, id?}
//   and is put in the room of its group (or of its item); it gets a "sync" event back.
// - HTTP on the api port: POST /functions/stream::set {stream_name, group_id, item_id, data}
//   broadcasts one "stream" event (iii's wrapper shape) to the group's room and the item's room.
// - GET /memory: process.memoryUsage() after a full GC (node runs with --expose-gc).
//
// Usage: node --expose-gc server.js SOCKET_PORT API_PORT   (binds 127.0.0.1 only)
'use strict';

const http = require('http');
const { Server } = require('socket.io');

const socketPort = Number(process.argv[2] || 3212);
const apiPort = Number(process.argv[3] || 3211);
const maxBody = 1024 * 1024;

const socketServer = http.createServer();
// Only the websocket transport: the load generator never polls, so no HTTP long-polling state.
const io = new Server(socketServer, { transports: ['websocket'], serveClient: false });

function room(stream, group, item) {
  return item == null ? `${stream}/${group}` : `${stream}/${group}/${item}`;
}

io.on('connection', (socket) => {
  socket.on('join', (data) => {
    if (!data || typeof data.streamName !== 'string' || typeof data.groupId !== 'string') {
      return;
    }
    const item = typeof data.id === 'string' ? data.id : null;
    socket.join(room(data.streamName, data.groupId, item));
    socket.emit('sync', {
      type: 'stream', timestamp: Date.now(), streamName: data.streamName, groupId: data.groupId,
      id: item, event: { type: 'sync', data: [] },
    });
  });
});

const versions = new Map(); // "stream/group/item" -> true once created, to say create vs update

const api = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/memory') {
    if (global.gc) {
      global.gc();
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(process.memoryUsage()));
    return;
  }
  if (req.method !== 'POST' || req.url !== '/functions/stream::set') {
    res.writeHead(404).end();
    return;
  }
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > maxBody) {
      res.writeHead(413).end();
      req.destroy();
      return;
    }
    chunks.push(c);
  });
  req.on('end', () => {
    let input;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (e) {
      res.writeHead(400).end();
      return;
    }
    const { stream_name: stream, group_id: group, item_id: item, data } = input;
    const key = `${stream}/${group}/${item}`;
    const existed = versions.has(key);
    versions.set(key, true);
    const frame = {
      type: 'stream', timestamp: Date.now(), streamName: stream, groupId: group, id: item,
      event: { type: existed ? 'update' : 'create', data },
    };
    // One broadcast to the union of both rooms: Socket.IO encodes the packet once for all.
    io.to(room(stream, group, null)).to(room(stream, group, item)).emit('stream', frame);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"old_value":null,"new_value":null}');
  });
});

socketServer.listen(socketPort, '127.0.0.1', () => {
  api.listen(apiPort, '127.0.0.1', () => {
    console.log(`socket.io ${require('socket.io/package.json').version} ready: socket 127.0.0.1:${socketPort}, api 127.0.0.1:${apiPort}, pid ${process.pid}`);
  });
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => process.exit(0));
}
