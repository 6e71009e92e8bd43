#!/usr/bin/env node
// session-lab's GET /ws side by side: cortado's build/examples/session-lab and the Node reference
// session_lab.js (express@5 + express-session@1.19 + ws@8, the session middleware run by hand on
// the upgrade request) get the same steps, each with its own cookie jar: HTTP requests that set
// and read the session, and WebSockets (the ws package's client, which can send Cookie and
// Origin) that read and set it. What each step shows of the session is compared: the HTTP status
// and body, what a socket receives, whether an upgrade is refused and how a socket closes.
//
// Where the two differ by design, the step says what each side must do (`expect`), and why:
//   - a cross-origin upgrade: cortado refuses it with 403 before the upgrade (a browser sends the
//     session cookie with a WebSocket from any page: cross-site WebSocket hijacking); ws accepts it
//     and the foreign page reads the session;
//   - logout in another request: cortado closes the sockets bound to the session with 4401; with
//     ws nothing knows the socket belongs to the session, it stays open and keeps answering.
//
//   node ws_compare.mjs --cortado PATH/TO/session-lab [--filter TEXT]... [--verbose]
//
// The last line printed is "N passed, M failed"; the exit code is 1 when anything failed.

import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';

import WebSocket from 'ws';

import { LabProcess, running } from './lab_process.mjs';

const STEP_TIMEOUT_MS = 10000; // a guard against a hung server only: no step waits this long normally

function parseArgs(argv) {
  const args = { cortado: undefined, filter: [], verbose: false };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--cortado') args.cortado = argv[++i];
    else if (argv[i] === '--filter') args.filter.push(argv[++i]);
    else if (argv[i] === '--verbose') args.verbose = true;
    else {
      console.error(`ws_compare: unknown argument ${argv[i]}`);
      process.exit(2);
    }
  }
  if (!args.cortado) {
    console.error('usage: node ws_compare.mjs --cortado PATH/TO/session-lab [--filter TEXT]... [--verbose]');
    process.exit(2);
  }
  return args;
}

// --- one server's client: a cookie jar, HTTP requests and named sockets ---------------------------

class Client {
  constructor(port) {
    this.port = port;
    this.cookie = undefined; // "connect.sid=..." as last set
    this.sockets = new Map(); // name -> {ws, messages: [], waiters: [], closed: null}
  }

  origin() {
    return `http://127.0.0.1:${this.port}`;
  }

  request(method, path, body) {
    return new Promise((resolve, reject) => {
      const headers = {};
      if (this.cookie) headers.cookie = this.cookie;
      const payload = body === undefined ? undefined : JSON.stringify(body);
      if (payload !== undefined) headers['content-type'] = 'application/json';
      const req = http.request({ host: '127.0.0.1', port: this.port, method, path, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          for (const line of res.headers['set-cookie'] || []) this.cookie = line.split(';')[0];
          resolve({ status: res.statusCode, body: parseJson(text) });
        });
      });
      req.setTimeout(STEP_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${path}: no answer`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  // Opens socket `name`; resolves {opened: first message} or {refused: status}.
  open(name, { origin = this.origin(), withCookie = true } = {}) {
    const headers = {};
    if (withCookie && this.cookie) headers.cookie = this.cookie;
    if (origin) headers.origin = origin;
    const ws = new WebSocket(`ws://127.0.0.1:${this.port}/ws`, { headers, handshakeTimeout: STEP_TIMEOUT_MS });
    const sock = { ws, messages: [], waiters: [], closed: null, closeWaiters: [] };
    this.sockets.set(name, sock);
    ws.on('message', (data) => {
      const text = String(data);
      const waiter = sock.waiters.shift();
      if (waiter) waiter(text);
      else sock.messages.push(text);
    });
    ws.on('close', (code) => {
      sock.closed = code;
      for (const w of sock.closeWaiters.splice(0)) w(code);
      for (const w of sock.waiters.splice(0)) w(undefined);
    });
    return new Promise((resolve) => {
      ws.on('unexpected-response', (req, res) => {
        res.resume();
        resolve({ refused: res.statusCode });
        req.destroy();
      });
      ws.on('error', (err) => resolve({ error: err.message }));
      ws.on('open', async () => resolve({ opened: parseJson(await this.next(name)) }));
    });
  }

  // The socket's next message as text (undefined when it closed first).
  next(name) {
    const sock = this.sockets.get(name);
    if (sock.messages.length) return Promise.resolve(sock.messages.shift());
    if (sock.closed !== null) return Promise.resolve(undefined);
    return withTimeout(new Promise((resolve) => sock.waiters.push(resolve)), `socket ${name}: no message`);
  }

  send(name, message) {
    return this.sendRaw(name, JSON.stringify(message));
  }

  // Sends a text message; resolves {reply: the answer} or {closed: code}.
  async sendRaw(name, text) {
    this.sockets.get(name).ws.send(text);
    const answer = await this.next(name);
    return answer === undefined ? { closed: this.sockets.get(name).closed } : { reply: parseJson(answer) };
  }

  // Resolves {closed: code} once socket `name` has closed.
  closed(name) {
    const sock = this.sockets.get(name);
    if (sock.closed !== null) return Promise.resolve({ closed: sock.closed });
    const done = new Promise((resolve) => sock.closeWaiters.push(resolve));
    return withTimeout(done.then((code) => ({ closed: code })), `socket ${name}: not closed`);
  }

  closeAll() {
    for (const sock of this.sockets.values()) if (sock.closed === null) sock.ws.terminate();
  }
}

function parseJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { text };
  }
}

function withTimeout(promise, what) {
  let timer;
  const guard = new Promise((resolve) => {
    timer = setTimeout(() => resolve({ timeout: what }), STEP_TIMEOUT_MS);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

// --- the steps ------------------------------------------------------------------------------------
// Each step is [label, client => Promise<result>] or [label, run, expect] where expect is
// {cortado: value, node: value}: each side's result must equal its own (a difference by design).

const steps = {
  'socket reads what HTTP set': [
    ['POST /set/a', (c) => c.request('POST', '/set/a', 1)],
    ['POST /set/b', (c) => c.request('POST', '/set/b', { x: [1, 'two'] })],
    ['open: the session data', (c) => c.open('s')],
    ['get a', (c) => c.send('s', { get: 'a' })],
    ['get b', (c) => c.send('s', { get: 'b' })],
    ['get missing', (c) => c.send('s', { get: 'nope' })],
  ],
  'HTTP reads what the socket set': [
    ['GET /views', (c) => c.request('GET', '/views')],
    ['open', (c) => c.open('s')],
    ['set colour', (c) => c.send('s', { set: 'colour', v: 'teal' })],
    ['set views', (c) => c.send('s', { set: 'views', v: 41 })],
    ['GET /get/colour', (c) => c.request('GET', '/get/colour')],
    ['GET /views', (c) => c.request('GET', '/views')],
    ['GET /data', (c) => c.request('GET', '/data')],
  ],
  'socket sees later HTTP changes': [
    ['GET /views', (c) => c.request('GET', '/views')],
    ['open', (c) => c.open('s')],
    ['POST /set/late', (c) => c.request('POST', '/set/late', 'yes')],
    ['get late', (c) => c.send('s', { get: 'late' })],
    ['second socket sees the first one\'s set', async (c) => {
      await c.send('s', { set: 'from1', v: true });
      const opened = await c.open('t');
      return [opened, await c.send('t', { get: 'from1' })];
    }],
  ],
  'bad messages get an error and the socket stays': [
    ['GET /views', (c) => c.request('GET', '/views')],
    ['open', (c) => c.open('s')],
    ['not JSON', (c) => c.sendRaw('s', '{oops')],
    ['neither set nor get', (c) => c.send('s', { hello: 1 })],
    ['still answers', (c) => c.send('s', { get: 'views' })],
  ],
  'upgrade without a cookie': [
    ['open: an empty session', (c) => c.open('s', { withCookie: false })],
    ['get views', (c) => c.send('s', { get: 'views' })],
    ['set then get', async (c) => [await c.send('s', { set: 'k', v: 'v' }), await c.send('s', { get: 'k' })]],
  ],
  'same-origin and cross-origin upgrades': [
    ['POST /set/secret', (c) => c.request('POST', '/set/secret', 's3cr3t')],
    ['same origin: opened', (c) => c.open('same')],
    ['no Origin (not a browser): opened', (c) => c.open('none', { origin: null })],
    [
      'Origin of another site',
      (c) => c.open('evil', { origin: 'http://evil.example' }),
      {
        // cortado: refused before the upgrade, the session never reaches the foreign page.
        cortado: { refused: 403 },
        // ws: accepted (its verifyClient is opt-in), and the foreign page reads the session.
        node: { opened: { secret: 's3cr3t' } },
      },
    ],
  ],
  'logout elsewhere': [
    ['POST /login', (c) => c.request('POST', '/login', { user: 'ada' }).then((r) => r.status)],
    ['open', (c) => c.open('s')],
    ['get user', (c) => c.send('s', { get: 'user' })],
    ['POST /logout (regenerates)', (c) => c.request('POST', '/logout')],
    [
      'the socket after the logout',
      async (c) => {
        if (c.side === 'cortado') return c.closed('s');
        return c.send('s', { get: 'user' });
      },
      {
        // cortado: the socket bound to the old session is closed with 4401.
        cortado: { closed: 4401 },
        // ws: the socket stays open and keeps acting on a session that no longer exists (its
        // reload fails: the store no longer has the old id).
        node: { reply: { error: 'failed to load session' } },
      },
    ],
    ['HTTP after the logout', (c) => c.request('GET', '/get/user')],
  ],
};

// --- running ----------------------------------------------------------------------------------------

async function runSide(side, command, args, list) {
  const lab = new LabProcess(side, command, args);
  await lab.listen();
  const client = new Client(lab.port);
  client.side = side;
  const results = [];
  try {
    for (const [label, run] of list) {
      try {
        results.push(await withTimeout(run(client), label));
      } catch (err) {
        results.push({ failed: String(err.message) });
      }
    }
  } finally {
    client.closeAll();
    await lab.stop();
  }
  return results;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  let passed = 0;
  let failed = 0;
  for (const [name, list] of Object.entries(steps)) {
    if (args.filter.length && !args.filter.some((f) => name.includes(f))) continue;
    const problems = [];
    let cortado;
    let node;
    try {
      cortado = await runSide('cortado', args.cortado, ['--port', '0'], list);
      node = await runSide('node', process.execPath, ['session_lab.js', '--port', '0'], list);
    } catch (err) {
      problems.push(String(err.message));
    }
    if (cortado && node) {
      list.forEach(([label, , expect], i) => {
        if (args.verbose) console.log(`  ${label}\n    cortado ${JSON.stringify(cortado[i])}\n    node    ${JSON.stringify(node[i])}`);
        if (expect) {
          if (!isDeepStrictEqual(cortado[i], expect.cortado)) {
            problems.push(`${label}: cortado gave ${JSON.stringify(cortado[i])}, expected ${JSON.stringify(expect.cortado)}`);
          }
          if (!isDeepStrictEqual(node[i], expect.node)) {
            problems.push(`${label}: node gave ${JSON.stringify(node[i])}, expected ${JSON.stringify(expect.node)}`);
          }
        } else if (!isDeepStrictEqual(cortado[i], node[i])) {
          problems.push(`${label}: cortado ${JSON.stringify(cortado[i])} != node ${JSON.stringify(node[i])}`);
        }
      });
    }
    if (problems.length) {
      failed++;
      console.log(`FAIL ${name}`);
      for (const p of problems) console.log(`  ${p}`);
    } else {
      passed++;
      console.log(`ok   ${name}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch(async (err) => {
  console.error(err);
  for (const lab of running) await lab.stop();
  console.log('0 passed, 1 failed');
  process.exit(2);
});
