#!/usr/bin/env node
// Session sharing through real stores: cortado's session-lab and the Node reference
// (session_lab.js: express@5 + express-session@1.19 + connect-redis@10 / connect-pg-simple@10)
// run side by side on the SAME store URL with the SAME --secret, and a session made by one is
// used, changed and ended by the other:
//   (a) login on Node, the cookie replayed to cortado: same data, a counter that continues
//   (b) login on cortado, read and changed on Node
//   (c) logout on one: the old cookie is logged out on the other, the stored session is gone
//   (d) the stored text (redis-cli GET / psql SELECT sess) after a cortado write equals the one
//       Node writes for the same steps, ids and dates normalised: key order, cookie object,
//       JSON escaping and number forms
//   (e) expiry: Redis TTL / PostgreSQL expire of a cortado-written session equals Node's within
//       2 s, with --max-age 60000, without (one day), with the URL's ttl; and touch() resets it
//   (f) two cortado processes on one store share a login
//   (g) cortado binds owners: Node reads the same sessions and length; Node's destroy leaves cortado's list
//
//   node store_sharing.mjs --cortado PATH/TO/session-lab [--redis URL] [--postgres URL]
//                          [--filter TEXT]... [--verbose]
// The URLs default to $CORTADO_TEST_REDIS_URL and $CORTADO_TEST_POSTGRES_URL (what
// tests/stores/services/*.sh export; store_sharing.sh starts the servers). A store without a URL
// is one failed check. Raw reads go through redis-cli and psql.
// The servers must be throw-away: the test runs FLUSHDB on the Redis database, drops the table
// "session" and sets the PostgreSQL database's TimeZone to Asia/Kolkata (so that a store that
// wrote the expire column in another zone than connect-pg-simple would show).
//
// One line per check; the last line is "N passed, M failed"; the exit code is 1 on any failure.

import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { LabProcess, running } from './lab_process.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const SECRET = 'share-secret';
const COOKIE = 'connect.sid';
const TOLERANCE_S = 2;
const START_TIMEOUT_MS = 15000;  // the first lab makes the PostgreSQL table
const REQUEST_TIMEOUT_MS = 10000;

// --- command line -------------------------------------------------------------------------------

function parseArgs(argv) {
  const args = {
    cortado: process.env.CORTADO_SESSION_LAB,
    redis: process.env.CORTADO_TEST_REDIS_URL,
    postgres: process.env.CORTADO_TEST_POSTGRES_URL,
    filter: [],
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--cortado') args.cortado = argv[++i];
    else if (a === '--redis') args.redis = argv[++i];
    else if (a === '--postgres') args.postgres = argv[++i];
    else if (a === '--filter') args.filter.push(argv[++i]);
    else if (a === '--verbose') args.verbose = true;
    else {
      console.error(`store_sharing: unknown argument ${a}`);
      process.exit(2);
    }
  }
  if (!args.cortado) {
    console.error('usage: node store_sharing.mjs --cortado PATH/TO/session-lab [--redis URL] [--postgres URL] [--filter TEXT]... [--verbose]');
    process.exit(2);
  }
  return args;
}
const args = parseArgs(process.argv.slice(2));

// --- results ------------------------------------------------------------------------------------

let passed = 0;
let failed = 0;

function check(name, ok, detail) {
  if (ok) {
    passed++;
    console.log(`ok   ${name}`);
  } else {
    failed++;
    console.log(`FAIL ${name}${detail ? ': ' + detail : ''}`);
  }
  return ok;
}

const show = (v) => (typeof v === 'string' ? v : JSON.stringify(v));

function checkEqual(name, actual, expected) {
  const a = show(actual);
  const e = show(expected);
  return check(name, a === e, `got ${a}, expected ${e}`);
}

function checkNear(name, actual, expected, tolerance = TOLERANCE_S) {
  const ok = typeof actual === 'number' && Number.isFinite(actual) && Math.abs(actual - expected) <= tolerance;
  return check(name, ok, `got ${actual}, expected ${expected} (within ${tolerance})`);
}

function log(text) {
  if (args.verbose) console.log('     ' + text);
}

// --- processes ----------------------------------------------------------------------------------

function cortadoLab(label, store, flags) {
  return new LabProcess(label, args.cortado, ['--port', '0', '--secret', SECRET, '--store', store, ...flags],
                        { startTimeoutMs: START_TIMEOUT_MS });
}

function nodeLab(label, store, flags) {
  return new LabProcess(label, process.execPath, [path.join(here, 'session_lab.js'), '--port', '0', '--secret', SECRET, '--store', store, ...flags],
                        { startTimeoutMs: START_TIMEOUT_MS });
}

// Starts the labs one after the other (the first one makes the PostgreSQL table), as `name: Lab`.
async function startLabs(labs) {
  const started = {};
  try {
    for (const [name, lab] of Object.entries(labs)) {
      await lab.listen();
      log(`${lab.label} listens on ${lab.port}`);
      started[name] = lab;
    }
  } catch (err) {
    for (const lab of Object.values(labs)) await lab.stop().catch(() => {});
    throw err;
  }
  return started;
}

async function stopLabs(labs) {
  for (const lab of Object.values(labs)) {
    const exit = await lab.stop();
    if (exit.code !== 0) {
      check(`${lab.label} exits 0 on SIGTERM`, false, `code ${exit.code}, signal ${exit.signal}; stderr: ${lab.stderr.trim().split('\n').pop() || ''}`);
    }
  }
}

// --- HTTP ---------------------------------------------------------------------------------------

function request(lab, method, urlPath, { cookie, json } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: lab.port, method, path: urlPath, agent: false });
    if (cookie) req.setHeader('Cookie', cookie);
    let body;
    if (json !== undefined) {
      body = JSON.stringify(json);
      req.setHeader('Content-Type', 'application/json');
    }
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error(`${method} ${urlPath} on ${lab.label} timed out`)));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let value;
        try {
          value = JSON.parse(text);
        } catch {
          value = undefined;
        }
        const setCookie = (res.headers['set-cookie'] || []).map((h) => h.split(';')[0]).find((p) => p.startsWith(COOKIE + '='));
        log(`${lab.label} ${method} ${urlPath}${cookie ? ' [' + idOfCookie(cookie) + ']' : ''} -> ${res.statusCode} ${text}${setCookie ? ' set ' + idOfCookie(setCookie) : ''}`);
        if (res.statusCode >= 400) {
          reject(new Error(`${method} ${urlPath} on ${lab.label} answered ${res.statusCode} ${text}`));
          return;
        }
        resolve({ status: res.statusCode, text, value, setCookie });
      });
      res.on('error', reject);
    });
    req.end(body);
  });
}

const signature = (id, secret) => crypto.createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '');

function idOfCookie(cookie) {
  const value = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
  const dot = value.lastIndexOf('.');
  return value.startsWith('s:') && dot > 2 ? value.slice(2, dot) : undefined;
}

// POST /login on `lab`: the session cookie it sets and the new id, checked against each other.
async function login(lab, user) {
  const res = await request(lab, 'POST', '/login', { json: { user } });
  const id = res.value;
  if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{32}$/.test(id)) throw new Error(`${lab.label} /login answered ${res.text}`);
  if (!res.setCookie) throw new Error(`${lab.label} /login set no ${COOKIE} cookie`);
  const expected = `${COOKIE}=${encodeURIComponent('s:' + id + '.' + signature(id, SECRET))}`;
  if (res.setCookie !== expected) throw new Error(`${lab.label} /login set ${res.setCookie}, expected ${expected}`);
  return { id, cookie: res.setCookie };
}

const get = async (lab, urlPath, cookie) => (await request(lab, 'GET', urlPath, { cookie })).value;
const post = async (lab, urlPath, cookie, json) => (await request(lab, 'POST', urlPath, { cookie, json })).value;

// --- raw store access ---------------------------------------------------------------------------

function run(tool, argv) {
  return execFileSync(tool, argv, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 10000 });
}

function assertId(id) {
  if (!/^[A-Za-z0-9_-]+$/.test(id)) throw new Error(`unexpected session id ${id}`);
  return id;
}

class RedisRaw {
  constructor(url) {
    const u = new URL(url);
    u.search = '';
    this.url = u.toString();
  }
  cli(...argv) {
    return run('redis-cli', ['-u', this.url, '--raw', ...argv]).replace(/\n$/, '');
  }
  // The stored text of `key`, or null.
  value(key) {
    return this.cli('EXISTS', key) === '1' ? this.cli('GET', key) : null;
  }
  exists(key) {
    return this.cli('EXISTS', key) === '1';
  }
  ttl(key) {
    return Number(this.cli('TTL', key));
  }
  expire(key, seconds) {
    this.cli('EXPIRE', key, String(seconds));
  }
  flush() {
    this.cli('FLUSHDB');
  }
}

// A Redis Cluster through redis-cli -c (which follows MOVED); flush empties every master.
class RedisClusterRaw extends RedisRaw {
  constructor(url, ports) {
    super('redis://127.0.0.1/');
    this.url = url;
    this.ports = ports;
  }
  cli(...argv) {
    return run('redis-cli', ['-c', '-p', this.ports[0], '--raw', ...argv]).replace(/\n$/, '');
  }
  flush() {
    for (const port of this.ports) {
      if (run('redis-cli', ['-p', port, 'ROLE']).startsWith('master')) run('redis-cli', ['-p', port, 'FLUSHALL']);
    }
  }
}

class PostgresRaw {
  constructor(url) {
    this.url = url;
  }
  sql(statement) {
    return run('psql', ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-d', this.url, '-c', statement]).replace(/\n$/, '');
  }
  value(id) {
    const rows = this.sql(`SELECT count(*) FROM session WHERE sid = '${assertId(id)}'`);
    return rows === '0' ? null : this.sql(`SELECT sess FROM session WHERE sid = '${assertId(id)}'`);
  }
  exists(id) {
    return this.sql(`SELECT count(*) FROM session WHERE sid = '${assertId(id)}'`) === '1';
  }
  // Seconds from now to the expire column (both in the database's TimeZone, as the stores write it).
  ttl(id) {
    const text = this.sql(`SELECT extract(epoch FROM expire - localtimestamp) FROM session WHERE sid = '${assertId(id)}'`);
    return text === '' ? NaN : Number(text);
  }
  expire(id, seconds) {
    this.sql(`UPDATE session SET expire = localtimestamp + interval '${Number(seconds)} seconds' WHERE sid = '${assertId(id)}'`);
  }
}

// Ids and dates out of a stored text, nothing else: key order, spacing and escaping must match.
// Dates and originalMaxAge come from each server's clock at the moment it wrote them: they are
// compared apart, within a tolerance (a millisecond tick between Node's save and cortado's turns
// 60000 into 59999).
function normalise(text) {
  return text
    .replace(/"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"/g, '"<date>"')
    .replace(/"originalMaxAge":\d+/g, '"originalMaxAge":"<ms>"')
    .replace(/[A-Za-z0-9_-]{32}/g, '<id>');
}

// --- the scenarios ------------------------------------------------------------------------------

// Each scenario gets { kind, raw, key(id), node, cortado, ... } and records its checks.
// `key(id)` is what `raw` is indexed by: the Redis key, or the PostgreSQL sid.

async function scenarioA(s) {
  const t = `${s.kind}: (a) login on node, used on cortado`;
  const { id, cookie } = await login(s.node, 'ann');
  checkEqual(`${t}: cortado GET /data`, await get(s.cortado, '/data', cookie), { user: 'ann' });
  checkEqual(`${t}: cortado GET /id is the node id`, await get(s.cortado, '/id', cookie), id);
  checkEqual(`${t}: GET /views on cortado`, await get(s.cortado, '/views', cookie), 1);
  checkEqual(`${t}: GET /views on node continues`, await get(s.node, '/views', cookie), 2);
  checkEqual(`${t}: GET /views on cortado continues`, await get(s.cortado, '/views', cookie), 3);
  checkEqual(`${t}: node GET /data`, await get(s.node, '/data', cookie), { user: 'ann', views: 3 });
  const stored = s.raw.value(s.key(id));
  checkEqual(`${t}: stored data after cortado's last write`,
    stored === null ? null : sessionDataOf(stored), { user: 'ann', views: 3 });
}

async function scenarioB(s) {
  const t = `${s.kind}: (b) login on cortado, used on node`;
  const { id, cookie } = await login(s.cortado, 'bob');
  checkEqual(`${t}: node GET /data`, await get(s.node, '/data', cookie), { user: 'bob' });
  checkEqual(`${t}: node GET /id is the cortado id`, await get(s.node, '/id', cookie), id);
  checkEqual(`${t}: GET /views on node`, await get(s.node, '/views', cookie), 1);
  checkEqual(`${t}: GET /views on cortado continues`, await get(s.cortado, '/views', cookie), 2);
  checkEqual(`${t}: cortado GET /data`, await get(s.cortado, '/data', cookie), { user: 'bob', views: 2 });
}

async function scenarioC(s) {
  for (const [from, to] of [['node', 'cortado'], ['cortado', 'node']]) {
    const t = `${s.kind}: (c) logout on ${from}, old cookie on ${to}`;
    const { id, cookie } = await login(s[to], 'cat');
    checkEqual(`${t}: logged in on ${from} first`, await get(s[from], '/get/user', cookie), 'cat');
    checkEqual(`${t}: POST /logout on ${from}`, await post(s[from], '/logout', cookie), 'ok');
    check(`${t}: the stored session is gone`, !s.raw.exists(s.key(id)), 'still stored');
    checkEqual(`${t}: ${to} GET /get/user`, await get(s[to], '/get/user', cookie), null);
    checkEqual(`${t}: ${to} GET /data`, await get(s[to], '/data', cookie), {});
    check(`${t}: ${to} gives the old cookie a new id`, (await get(s[to], '/id', cookie)) !== id, 'same id');
  }
}

function sessionDataOf(text) {
  const { cookie, ...data } = JSON.parse(text);
  return data;
}

// The steps of (d), each run on `lab(i)`; the last one must write.
const dSteps = [
  ['login', { user: 'dee' }],
  ['POST', '/set/alpha', 1],
  ['POST', '/set/beta', [1, 'x', null, { z: false, a: true }]],
  ['POST', '/set/alpha', { k: true, nested: { b: 2, a: 1 } }],
  ['POST', '/unset/user'],
  ['POST', '/set/user', 'dee again'],
  ['POST', '/set/text', 'é ü 漢字 😀 \u2028\u2029 \u0001\u001f\u007f \t\n\r\b\f </script> "quoted" back\\slash /'],
  ['POST', '/set/numbers', [0, -1, 0.1, 1.5e-7, 1e21, 123456789.125, -2.5e-300, 9007199254740991]],
  ['GET', '/views'],
];

async function runSteps(labOf) {
  let session;
  for (let i = 0; i < dSteps.length; i++) {
    const [what, a, b] = dSteps[i];
    const lab = labOf(i);
    if (what === 'login') session = await login(lab, a.user);
    else if (what === 'GET') await get(lab, a, session.cookie);
    else await post(lab, a, session.cookie, b);
  }
  return session;
}

async function scenarioD(s, pairName) {
  const t = `${s.kind}: (d) stored text ${pairName}`;
  // The same steps: all on node; all on cortado; started on node and continued on cortado.
  const byNode = await runSteps(() => s.node);
  const byCortado = await runSteps(() => s.cortado);
  const mixed = await runSteps((i) => (i < 2 ? s.node : s.cortado));
  const nodeText = s.raw.value(s.key(byNode.id));
  const cortadoText = s.raw.value(s.key(byCortado.id));
  const mixedText = s.raw.value(s.key(mixed.id));
  if (!check(`${t}: all three sessions stored`, nodeText !== null && cortadoText !== null && mixedText !== null,
    `node ${nodeText !== null}, cortado ${cortadoText !== null}, mixed ${mixedText !== null}`)) return;
  log(`node:    ${nodeText}`);
  log(`cortado: ${cortadoText}`);
  log(`mixed:   ${mixedText}`);
  const expected = normalise(nodeText);
  const parts = (text) => {
    const parsed = JSON.parse(text);
    return {
      keys: JSON.stringify(Object.keys(parsed)),
      cookie: normalise(JSON.stringify(parsed.cookie)),
    };
  };
  const n = parts(nodeText);
  for (const [who, text] of [['cortado-written', cortadoText], ['node-written, then changed on cortado', mixedText]]) {
    const c = parts(text);
    checkEqual(`${t}: ${who}: key order`, c.keys, n.keys);
    checkEqual(`${t}: ${who}: cookie object`, c.cookie, n.cookie);
    checkEqual(`${t}: ${who}: whole text, ids and dates normalised`, normalise(text), expected);
  }
  // The dates themselves: within 2 s of node's (same max-age, written a moment apart).
  const nodeMaxAge = JSON.parse(nodeText).cookie.originalMaxAge;
  const cortadoMaxAge = JSON.parse(cortadoText).cookie.originalMaxAge;
  if (nodeMaxAge === null || cortadoMaxAge === null) {
    checkEqual(`${t}: cookie.originalMaxAge null on both`, cortadoMaxAge, nodeMaxAge);
  } else {
    checkNear(`${t}: cookie.originalMaxAge within 2 s of node's`, (cortadoMaxAge - nodeMaxAge) / 1000, 0);
  }
  const nodeExpires = JSON.parse(nodeText).cookie.expires;
  const cortadoExpires = JSON.parse(cortadoText).cookie.expires;
  if (nodeExpires === null || cortadoExpires === null) {
    checkEqual(`${t}: cookie.expires null on both`, cortadoExpires, nodeExpires);
  } else {
    checkNear(`${t}: cookie.expires within 2 s of node's`, (Date.parse(cortadoExpires) - Date.parse(nodeExpires)) / 1000, 0);
  }
}

async function scenarioE(s, pairName, expectedTtl) {
  const t = `${s.kind}: (e) expiry ${pairName}`;
  const byNode = await login(s.node, 'eli');
  const byCortado = await login(s.cortado, 'eli');
  const nodeTtl = s.raw.ttl(s.key(byNode.id));
  const cortadoTtl = s.raw.ttl(s.key(byCortado.id));
  log(`ttl node ${nodeTtl}, cortado ${cortadoTtl}`);
  checkNear(`${t}: node-written expiry is ${expectedTtl} s`, nodeTtl, expectedTtl);
  checkNear(`${t}: cortado-written expiry equals node's`, cortadoTtl, nodeTtl);
  // touch(): a request that does not change the session moves only the expiry. Shorten both to
  // 10 s, then each lab touches the OTHER one's session.
  for (const [toucher, session] of [['cortado', byNode], ['node', byCortado]]) {
    s.raw.expire(s.key(session.id), 10);
    const res = await request(s[toucher], 'GET', '/', { cookie: session.cookie });
    checkEqual(`${t}: GET / on ${toucher} (touch)`, res.value, 'ok');
    checkNear(`${t}: ${toucher}'s touch resets the expiry to ${expectedTtl} s`, s.raw.ttl(s.key(session.id)), expectedTtl);
  }
}

async function scenarioF(s) {
  const t = `${s.kind}: (f) two cortado processes`;
  const { cortado: one, cortado2: two } = s;
  const { id, cookie } = await login(one, 'fay');
  checkEqual(`${t}: second GET /data`, await get(two, '/data', cookie), { user: 'fay' });
  checkEqual(`${t}: second GET /id`, await get(two, '/id', cookie), id);
  checkEqual(`${t}: GET /views on the second`, await get(two, '/views', cookie), 1);
  checkEqual(`${t}: GET /views on the first continues`, await get(one, '/views', cookie), 2);
  checkEqual(`${t}: GET /views on the second continues`, await get(two, '/views', cookie), 3);
  checkEqual(`${t}: POST /logout on the second`, await post(two, '/logout', cookie), 'ok');
  checkEqual(`${t}: first GET /data after logout`, await get(one, '/data', cookie), {});
}

// (g) A user's sessions: cortado binds owners (Session::set_owner); Node must read and write the
// same sessions as before (no extra key in its req.session, the same store length), and what Node
// destroys leaves cortado's list.
async function scenarioG(s) {
  const t = `${s.kind}: (g) owners bound by cortado`;
  // connect-pg-simple has no length(): there, cortado's count stands for what is stored.
  const nodeCounts = s.kind === 'redis';
  const before = await get(nodeCounts ? s.node : s.cortado, '/store/length');
  const one = await login(s.cortado, 'gus');
  const two = await login(s.cortado, 'gus');
  const three = await login(s.cortado, 'gus');
  for (const session of [one, two, three]) await post(s.cortado, '/owner/gus', session.cookie);
  checkEqual(`${t}: node GET /data has no owner key`, await get(s.node, '/data', one.cookie), { user: 'gus' });
  if (nodeCounts) checkEqual(`${t}: node GET /store/length counts the sessions only`, await get(s.node, '/store/length'), before + 3);
  checkEqual(`${t}: cortado GET /store/length agrees`, await get(s.cortado, '/store/length'), before + 3);
  checkEqual(`${t}: GET /views on node`, await get(s.node, '/views', two.cookie), 1);
  checkEqual(`${t}: cortado lists the three`, await get(s.cortado, '/owner/gus/sessions', one.cookie),
    [one.id, two.id, three.id].sort());
  checkEqual(`${t}: POST /destroy on node`, await post(s.node, '/destroy', two.cookie), 'ok');
  checkEqual(`${t}: cortado's list loses what node destroyed`, await get(s.cortado, '/owner/gus/sessions', one.cookie),
    [one.id, three.id].sort());
  checkEqual(`${t}: cortado logs out everywhere else`, await post(s.cortado, '/owner/gus/destroy-all', one.cookie), 1);
  checkEqual(`${t}: node sees that session logged out`, await get(s.node, '/get/user', three.cookie), null);
  checkEqual(`${t}: node still reads the current one`, await get(s.node, '/data', one.cookie), { user: 'gus' });
}

// --- per store ----------------------------------------------------------------------------------

const wanted = (name) => args.filter.length === 0 || args.filter.some((f) => name.includes(f));

async function attempt(name, fn) {
  if (!wanted(name)) return;
  try {
    await fn();
  } catch (err) {
    check(name, false, 'threw: ' + String(err && err.message ? err.message : err).split('\n')[0]);
  }
}

// Runs `body(s)` with a node and a cortado lab (plus more cortado labs if `extra`) on `store`.
async function withLabs(kind, title, store, flags, raw, key, body, extra = 0) {
  const name = `${kind}: ${title}`;
  const labs = {
    cortado: cortadoLab(`cortado[${kind} ${title}]`, store, flags),
    node: nodeLab(`node[${kind} ${title}]`, store, flags),
  };
  for (let i = 2; i < 2 + extra; i++) labs[`cortado${i}`] = cortadoLab(`cortado#${i}[${kind} ${title}]`, store, flags);
  let started;
  try {
    started = await startLabs(labs);
  } catch (err) {
    check(`${name}: labs start`, false, err.message);
    return;
  }
  try {
    await body({ kind, raw, key, ...started });
  } catch (err) {
    check(name, false, 'threw: ' + String(err && err.message ? err.message : err).split('\n')[0]);
  } finally {
    await stopLabs(started);
  }
}

function withQuery(url, query) {
  const u = new URL(url);
  u.search = query;
  return u.toString();
}

async function redisSuite(url) {
  const raw = new RedisRaw(url);
  try {
    raw.flush();
  } catch (err) {
    check('redis: redis-cli reaches the server', false, err.message.split('\n')[0]);
    return;
  }
  const base = raw.url;
  const key = (id) => 'sess:' + id;
  const abc = async (s) => {
    await attempt('redis: (a)', () => scenarioA(s));
    await attempt('redis: (b)', () => scenarioB(s));
    await attempt('redis: (c)', () => scenarioC(s));
    await attempt('redis: (d) default cookie', () => scenarioD(s, 'default cookie'));
    await attempt('redis: (e) without max-age', () => scenarioE(s, 'without max-age', 86400));
    await attempt('redis: (g) owners', () => scenarioG(s));
  };
  await withLabs('redis', 'default flags', base, [], raw, key, abc);
  await withLabs('redis', 'max-age 60000', base, ['--max-age', '60000'], raw, key, async (s) => {
    await attempt('redis: (d) max-age', () => scenarioD(s, 'max-age 60000'));
    await attempt('redis: (e) max-age', () => scenarioE(s, 'max-age 60000', 60));
  });
  await withLabs('redis', 'cookie options', base, cookieOptionFlags, raw, key, async (s) => {
    await attempt('redis: (d) cookie options', () => scenarioD(s, 'cookie options'));
  });
  // The URL's query: another prefix, and a ttl for sessions without cookie.expires.
  await withLabs('redis', 'prefix app: ttl 3600', withQuery(base, '?prefix=app:&ttl=3600'), [], raw, (id) => 'app:' + id,
    async (s) => {
      await attempt('redis: (a) prefix', () => scenarioA({ ...s, kind: 'redis prefix app:' }));
      await attempt('redis: (e) ttl 3600', () => scenarioE({ ...s, kind: 'redis prefix app:' }, 'ttl=3600', 3600));
    });
  await withLabs('redis', 'two cortados', base, [], raw, key, async (s) => {
    await attempt('redis: (f)', () => scenarioF(s));
  }, 1);
}

// Node's connect-redis on node-redis's createCluster and cortado's redis-cluster:// store on the
// same 3-master cluster: each reads what the other wrote.
async function redisClusterSuite(url, ports) {
  const raw = new RedisClusterRaw(url, ports);
  try {
    raw.flush();
  } catch (err) {
    check('redis-cluster: redis-cli reaches the cluster', false, err.message.split('\n')[0]);
    return;
  }
  const key = (id) => 'sess:' + id;
  await withLabs('redis-cluster', 'default flags', url, [], raw, key, async (s) => {
    await attempt('redis-cluster: (a)', () => scenarioA(s));
    await attempt('redis-cluster: (b)', () => scenarioB(s));
    await attempt('redis-cluster: (c)', () => scenarioC(s));
    await attempt('redis-cluster: (d) default cookie', () => scenarioD(s, 'default cookie'));
  });
}

async function postgresSuite(url) {
  const raw = new PostgresRaw(url);
  try {
    raw.sql('DROP TABLE IF EXISTS session');
    // A database TimeZone other than UTC: both stores must write the same instant into the
    // `timestamp without time zone` column (to_timestamp in the session's zone).
    const db = raw.sql('SELECT current_database()');
    raw.sql(`ALTER DATABASE "${db.replace(/"/g, '""')}" SET timezone TO 'Asia/Kolkata'`);
  } catch (err) {
    check('postgres: psql reaches the server', false, err.message.split('\n')[0]);
    return;
  }
  const key = (id) => id;
  await withLabs('postgres', 'default flags', url, [], raw, key, async (s) => {
    await attempt('postgres: table', async () =>
      check('postgres: table "session" made by the labs', raw.sql("SELECT to_regclass('session') IS NOT NULL") === 't', 'no table session'));
    await attempt('postgres: (a)', () => scenarioA(s));
    await attempt('postgres: (b)', () => scenarioB(s));
    await attempt('postgres: (c)', () => scenarioC(s));
    await attempt('postgres: (d) default cookie', () => scenarioD(s, 'default cookie'));
    await attempt('postgres: (e) without max-age', () => scenarioE(s, 'without max-age', 86400));
    await attempt('postgres: (g) owners', () => scenarioG(s));
  });
  await withLabs('postgres', 'max-age 60000', url, ['--max-age', '60000'], raw, key, async (s) => {
    await attempt('postgres: (d) max-age', () => scenarioD(s, 'max-age 60000'));
    await attempt('postgres: (e) max-age', () => scenarioE(s, 'max-age 60000', 60));
  });
  await withLabs('postgres', 'cookie options', url, cookieOptionFlags, raw, key, async (s) => {
    await attempt('postgres: (d) cookie options', () => scenarioD(s, 'cookie options'));
  });
  await withLabs('postgres', 'two cortados', url, [], raw, key, async (s) => {
    await attempt('postgres: (f)', () => scenarioF(s));
  }, 1);
}

// Every cookie attribute that goes into the stored cookie object (and its key order).
const cookieOptionFlags = [
  '--max-age', '60000', '--same-site', 'strict', '--domain', 'example.test', '--partitioned',
  '--priority', 'high', '--no-http-only', '--secure', 'false', '--cookie-path', '/',
];

// --- main ---------------------------------------------------------------------------------------

// A store's suite runs unless the filters name only the other store.
const suiteWanted = (kind) =>
  args.filter.length === 0 || args.filter.some((f) => f.includes(kind) || !/redis|postgres/.test(f));

async function main() {
  if (suiteWanted('redis')) {
    if (args.redis) await redisSuite(args.redis);
    else check('redis: a server URL (--redis or CORTADO_TEST_REDIS_URL)', false, 'none given');
  }
  if (suiteWanted('redis-cluster') && process.env.CORTADO_TEST_REDIS_CLUSTER_URL) {
    await redisClusterSuite(process.env.CORTADO_TEST_REDIS_CLUSTER_URL,
      process.env.CORTADO_TEST_REDIS_CLUSTER_PORTS.split(' '));
  }
  if (suiteWanted('postgres')) {
    if (args.postgres) await postgresSuite(args.postgres);
    else check('postgres: a server URL (--postgres or CORTADO_TEST_POSTGRES_URL)', false, 'none given');
  }
}

async function shutdown(code) {
  if (passed + failed === 0) {
    check(`--filter ${args.filter.join(' ')} matches a check`, false, 'nothing ran');
    code = 1;
  }
  for (const lab of [...running]) await lab.stop().catch(() => {});
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(code);
}

process.on('SIGINT', () => shutdown(130));
process.on('SIGTERM', () => shutdown(143));

main().then(
  () => shutdown(failed > 0 ? 1 : 0),
  (err) => {
    check('store_sharing', false, 'threw: ' + (err && err.stack ? err.stack : String(err)));
    shutdown(1);
  },
);
