// W0, W0t and W0z for Node: Express 5, no session middleware.
//   GET /        → "ok"                                         (W0; W0t over HTTPS)
//   GET /json10k → 10 352 bytes of JSON through compression 1.8  (W0z, with Accept-Encoding: gzip)
//   GET /ws      → a WebSocket (ws 8) echoing each message         (WS)
//   node hello.js PORT [CERT KEY]   (with CERT and KEY: https.createServer({cert, key}, app))
const fs = require('fs');
const express = require('express');
const compression = require('compression');
const app = express();
app.get('/', (req, res) => res.send('ok'));
// The same document as bench/hello_server.cpp builds, serialised anew for every request.
const items = [];
for (let i = 0; i < 150; i++) items.push({ id: i, name: 'item ' + i, price: 1.25 * i, tags: ['coffee', 'cortado'] });
const documentValue = { items };
app.get('/json10k', compression(), (req, res) => res.json(documentValue));

const [portArg, cert, key] = process.argv.slice(2);
const server = cert
  ? require('https').createServer({ cert: fs.readFileSync(cert), key: fs.readFileSync(key) }, app)
  : require('http').createServer(app);
// WS: the ws package on the same server, every message sent back as it came.
const { WebSocketServer } = require('ws');
new WebSocketServer({ server, path: '/ws' }).on('connection', (ws) => {
  ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
});
server.listen(Number(portArg || 3000), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
