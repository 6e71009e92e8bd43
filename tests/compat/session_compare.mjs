#!/usr/bin/env node
// Side-by-side test of session-lab (docs/SESSION_LAB.md): cortado's build/examples/session-lab and the
// Node reference session_lab.js (express@5 + express-session@1.19) are started with the same
// flags, sent the same request sequences (each server has its own cookie jar), and every answer
// is compared:
//   - the status and Content-Type;
//   - the body byte for byte, after three normalisations only: each session id becomes a
//     placeholder numbered by first appearance on its own side (so equal structure compares
//     equal), ISO dates are compared within 2 s, and "originalMaxAge" numbers within 2000 ms;
//   - every Set-Cookie: the name, the value (s:<id>.<signature>, the signature recomputed here
//     with node:crypto, HMAC-SHA256 base64 without '=', and the URL encoding checked), each
//     attribute by name and value in order (Expires within 2 s, in IMF-fixdate form);
//   - whether the client's session id changed with this request;
//   - and at the end, how each server exits on SIGTERM (or SIGINT).
// Startup scenarios compare the exit code and the shape of the error output of a bad flag.
//
//   node session_compare.mjs --cortado PATH/TO/session-lab [--filter TEXT]... [--verbose]
//                            [--cortado-arg ARG]...   (extra flags for cortado only, e.g.
//                                                      --cortado-arg --threads --cortado-arg 1)
// --filter keeps the scenarios whose name contains TEXT; --verbose prints every answer.
//
// The last line printed is "N passed, M failed"; the exit code is 1 when anything failed.

import crypto from 'node:crypto';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { LabProcess } from './lab_process.mjs';
import { scenarios } from './session_scenarios.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const TOLERANCE_MS = 2000;
const REQUEST_TIMEOUT_MS = 10000;

// --- command line -------------------------------------------------------------------------------

function parseArgs(argv) {
  const args = { cortado: process.env.CORTADO_SESSION_LAB, filter: [], verbose: false, extra: [] };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--cortado') args.cortado = argv[++i];
    else if (argv[i] === '--filter') args.filter.push(argv[++i]);
    else if (argv[i] === '--verbose') args.verbose = true;
    else if (argv[i] === '--cortado-arg') args.extra.push(argv[++i]);
    else {
      console.error(`session_compare: unknown argument ${argv[i]}`);
      process.exit(2);
    }
  }
  if (!args.cortado) {
    console.error('usage: node session_compare.mjs --cortado PATH/TO/session-lab [--filter TEXT]... [--verbose] [--cortado-arg ARG]...');
    process.exit(2);
  }
  return args;
}

// --- signing, as cookie-signature does it --------------------------------------------------------

export function signature(id, secret) {
  return crypto.createHmac('sha256', secret).update(id).digest('base64').replace(/=+$/, '');
}

export function signedValue(id, secret) {
  return 's:' + id + '.' + signature(id, secret);
}

function secretsOf(flags) {
  const secrets = [];
  for (let i = 0; i < flags.length; i++) if (flags[i] === '--secret') secrets.push(flags[i + 1]);
  return secrets.length ? secrets : ['lab-secret'];
}

// The store named by the flags ('memory' unless --store says otherwise).
export function storeOf(flags) {
  const i = flags.lastIndexOf('--store');
  return i >= 0 ? flags[i + 1] : 'memory';
}

export function cookieNameOf(flags) {
  const i = flags.lastIndexOf('--name');
  if (i >= 0) return flags[i + 1];
  return storeOf(flags) === 'cookie' ? 'session' : 'connect.sid';
}

// Keygrip 1.1's signature, as cookie-session signs "name=value" (HMAC-SHA1, base64url, no '=').
export function grip(data, key) {
  return crypto.createHmac('sha1', key).update(data).digest('base64').replace(/\/|\+|=/g, (x) => ({ '/': '_', '+': '-', '=': '' })[x]);
}

function tryDecode(text) {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

// The session id inside a session cookie's value ('s%3A<id>.<sig>'), or undefined.
function idOfCookieValue(raw) {
  if (raw === undefined) return undefined;
  const value = tryDecode(raw);
  if (!value.startsWith('s:')) return undefined;
  const dot = value.lastIndexOf('.');
  return dot > 2 ? value.slice(2, dot) : undefined;
}

// The value of the first cookie called `name` in a Cookie header, or undefined.
function cookieValueIn(header, name) {
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq >= 0 && pair.slice(0, eq).trim() === name) {
      let v = pair.slice(eq + 1).trim();
      if (v.length >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
      return v;
    }
  }
  return undefined;
}

// --- processes -----------------------------------------------------------------------------------

// --- HTTP ----------------------------------------------------------------------------------------

function send(port, { method, path: urlPath, headers, body }) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: urlPath, agent: false });
    for (const [name, value] of headers) req.setHeader(name, value);
    req.setTimeout(REQUEST_TIMEOUT_MS, () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode,
          headers: res.headers,
          setCookies: res.headers['set-cookie'] || [],
          body: Buffer.concat(chunks).toString('utf8'),
        }));
      res.on('error', reject);
    });
    req.end(body);
  });
}

// --- cookie jar (RFC 6265 enough for one host) ----------------------------------------------------

function parseSetCookie(header) {
  const parts = header.split(';');
  const first = parts.shift();
  const eq = first.indexOf('=');
  const attrs = parts.map((p) => {
    const t = p.trim();
    const e = t.indexOf('=');
    return e < 0 ? [t, null] : [t.slice(0, e), t.slice(e + 1)];
  });
  return { name: first.slice(0, eq).trim(), value: first.slice(eq + 1).trim(), attrs };
}

function pathMatches(requestPath, cookiePath) {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

class Jar {
  constructor() {
    this.cookies = new Map();
  }

  take(setCookies) {
    for (const header of setCookies) {
      const c = parseSetCookie(header);
      const attr = (n) => c.attrs.find(([k]) => k.toLowerCase() === n)?.[1];
      const expires = attr('expires');
      const cookiePath = attr('path') || '/';
      if (expires && Date.parse(expires) <= Date.now()) this.cookies.delete(c.name);
      else this.cookies.set(c.name, { value: c.value, path: cookiePath });
    }
  }

  header(urlPath, all = false) {
    const pathname = /^https?:\/\//.test(urlPath) ? new URL(urlPath).pathname : urlPath.split('?')[0];
    const pairs = [];
    for (const [name, c] of this.cookies) {
      if (all || pathMatches(pathname, c.path)) pairs.push(`${name}=${c.value}`);
    }
    return pairs.length ? pairs.join('; ') : null;
  }
}

// --- one side of a scenario: a server, its jars, its ids ------------------------------------------

class Side {
  constructor(label, command, baseArgs) {
    this.label = label;
    this.command = command;
    this.baseArgs = baseArgs;
    this.jars = new Map();
    this.ids = new Map(); // session id -> placeholder, numbered by first appearance on this side
  }

  jar(client) {
    if (!this.jars.has(client)) this.jars.set(client, new Jar());
    return this.jars.get(client);
  }

  register(id) {
    if (typeof id === 'string' && id.length > 0 && !this.ids.has(id)) this.ids.set(id, `<id${this.ids.size + 1}>`);
  }

  placeholder(id) {
    return this.ids.get(id) ?? (id === undefined ? '<none>' : `<unknown:${id}>`);
  }

  async start(flags) {
    this.flags = flags;
    this.server = new LabProcess(this.label, this.command[0], [...this.command.slice(1), '--port', '0', ...flags, ...this.baseArgs]);
    return this.server.start();
  }
}

// --- normalisation --------------------------------------------------------------------------------

const ISO_DATE = /"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"/g;
const ORIGINAL_MAX_AGE = /"originalMaxAge":(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;
const IMF_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d GMT$/;
const ID_TOKEN = /[A-Za-z0-9_-]{32}/g;

function normaliseBody(text, side, step) {
  let out = text.replace(ID_TOKEN, (t) => (side.ids.has(t) ? side.ids.get(t) : t));
  const dates = [];
  out = out.replace(ISO_DATE, (_, d) => {
    dates.push(Date.parse(d));
    return '"<date>"';
  });
  const ages = [];
  out = out.replace(ORIGINAL_MAX_AGE, (_, n) => {
    ages.push(Number(n));
    return '"originalMaxAge":<ms>';
  });
  if (step.errorText === 'any') out = out.replace(/^\{"error":"(?:[^"\\]|\\.)*"\}$/, '{"error":"<text>"}');
  return { text: out, dates, ages };
}

function normaliseSetCookie(header, side, secret) {
  const c = parseSetCookie(header);
  const decoded = tryDecode(c.value);
  let value = c.value;
  let id;
  if (decoded.startsWith('s:') && decoded.lastIndexOf('.') > 2) {
    const dot = decoded.lastIndexOf('.');
    id = decoded.slice(2, dot);
    side.register(id);
    const sig = decoded.slice(dot + 1);
    const sigOk = sig === signature(id, secret);
    const encodingOk = c.value === encodeURIComponent(decoded);
    value = `s:${side.placeholder(id)}.<signature ${sigOk ? 'verified' : 'WRONG'}>${encodingOk ? '' : ' <not encodeURIComponent>'}`;
  }
  const dates = [];
  const attrs = c.attrs.map(([k, v]) => {
    if (k.toLowerCase() === 'expires' && v !== null) {
      dates.push(Date.parse(v));
      return `${k}=<date${IMF_DATE.test(v) ? '' : ` not IMF-fixdate: ${v}`}>`;
    }
    return v === null ? k : `${k}=${v}`;
  });
  return { text: `${c.name}=${value}; ${attrs.join('; ')}`, dates, id, name: c.name };
}

function withinTolerance(a, b, tolerance) {
  if (a.length !== b.length) return false;
  return a.every((x, i) => Number.isFinite(x) && Number.isFinite(b[i]) && Math.abs(x - b[i]) <= tolerance);
}

// --- running a step on one side ---------------------------------------------------------------------

async function runStep(side, other, step, scenario) {
  const client = step.client ?? 'a';
  const jar = side.jar(client);
  const name = cookieNameOf(side.flags);
  const secrets = secretsOf(side.flags);
  const jarId = idOfCookieValue(jar.cookies.get(name)?.value);

  const headers = [];
  let cookieHeader;
  if (typeof step.cookie === 'function') {
    const otherJar = other.jar(client);
    cookieHeader = step.cookie({
      name,
      secrets,
      value: jar.cookies.get(name)?.value,
      id: jarId,
      otherValue: otherJar.cookies.get(name)?.value,
      otherId: idOfCookieValue(otherJar.cookies.get(name)?.value),
      sign: signedValue,
      signature,
      // cookie-session: any cookie of either jar, and keygrip's signature.
      jar: (n) => jar.cookies.get(n)?.value,
      otherJar: (n) => otherJar.cookies.get(n)?.value,
      header: jar.header(step.path, true),
      otherHeader: otherJar.header(step.path, true),
      grip,
    });
  } else if (step.cookie !== undefined) {
    cookieHeader = step.cookie;
  } else if (!step.noJar) {
    cookieHeader = jar.header(step.path, step.sendAll);
  }
  if (cookieHeader !== null && cookieHeader !== undefined) headers.push(['Cookie', cookieHeader]);
  // The id the client sent (the first cookie of that name, as cookie.parse reads it; several
  // headers as one list) and, below, the one it holds after this answer.
  const idBefore = idOfCookieValue(cookieValueIn([cookieHeader ?? []].flat().join('; '), name));
  side.register(idBefore);
  for (const [k, v] of Object.entries(step.headers ?? {})) headers.push([k, v]);

  let body;
  if (step.raw !== undefined) {
    body = step.raw;
    if (step.contentType !== null) headers.push(['Content-Type', step.contentType ?? 'application/json']);
  } else if (step.body !== undefined) {
    body = typeof step.body === 'string' && step.bodyText ? step.body : JSON.stringify(step.body);
    headers.push(['Content-Type', 'application/json']);
  }

  const res = await send(side.server.port, { method: step.method, path: step.path, headers, body });
  if (!step.noJar && step.keepCookies !== false && step.cookie === undefined) jar.take(res.setCookies);
  else if (step.takeCookies) jar.take(res.setCookies);

  // ids the server told: in Set-Cookie (registered while normalising) and as the answer of the
  // routes that return one.
  const setCookies = res.setCookies.map((h) => normaliseSetCookie(h, side, secrets[0]));
  if (/^\/(id|regenerate|login)(\?|$)/.test(step.path)) {
    try {
      const v = JSON.parse(res.body);
      if (typeof v === 'string') side.register(v);
    } catch {
      /* not JSON: compared as text below */
    }
  }
  const answered = setCookies.filter((x) => x.name === name).pop();
  const idAfter = answered ? answered.id : idBefore;
  side.register(idAfter);
  return {
    status: res.status,
    contentType: res.headers['content-type'] ?? '<none>',
    rawBody: res.body,
    body: normaliseBody(res.body, side, step),
    setCookies,
    idBefore,
    idAfter,
    changed: idBefore !== idAfter,
    cookieSent: cookieHeader ?? null,
  };
}

function compareStep(c, n, step) {
  const diffs = [];
  if (c.status !== n.status) diffs.push(`status: cortado ${c.status}, node ${n.status}`);
  if (c.contentType !== n.contentType) diffs.push(`content-type: cortado ${c.contentType}, node ${n.contentType}`);
  const shown = (t) => (t === '' ? '(empty)' : t);
  if (c.body.text !== n.body.text) diffs.push(`body:\n        cortado ${shown(c.body.text)}\n        node    ${shown(n.body.text)}`);
  else {
    if (!withinTolerance(c.body.dates, n.body.dates, TOLERANCE_MS))
      diffs.push(`body dates beyond ${TOLERANCE_MS} ms: cortado ${c.body.dates.map((d) => new Date(d).toISOString())}, node ${n.body.dates.map((d) => new Date(d).toISOString())}`);
    if (!withinTolerance(c.body.ages, n.body.ages, TOLERANCE_MS))
      diffs.push(`body originalMaxAge beyond ${TOLERANCE_MS} ms: cortado ${c.body.ages}, node ${n.body.ages}`);
  }
  const cs = c.setCookies.map((x) => x.text);
  const ns = n.setCookies.map((x) => x.text);
  if (JSON.stringify(cs) !== JSON.stringify(ns)) {
    diffs.push(`set-cookie:\n        cortado ${cs.length ? cs.join('\n                ') : '(none)'}\n        node    ${ns.length ? ns.join('\n                ') : '(none)'}`);
  } else {
    c.setCookies.forEach((x, i) => {
      if (!withinTolerance(x.dates, n.setCookies[i].dates, TOLERANCE_MS))
        diffs.push(`set-cookie Expires beyond ${TOLERANCE_MS} ms: cortado ${x.dates.map((d) => new Date(d).toUTCString())}, node ${n.setCookies[i].dates.map((d) => new Date(d).toUTCString())}`);
    });
  }
  if (c.changed !== n.changed) diffs.push(`session id changed: cortado ${c.changed}, node ${n.changed}`);
  return diffs;
}

// Expectations are properties the scenario claims of express-session; checked on both sides so a
// wrong scenario (node fails it) is told apart from a cortado difference.
function checkExpectations(result, step, label) {
  const out = [];
  for (const expect of step.expect ?? []) {
    const problem = expect(result);
    if (problem) out.push(`[${label}] expected ${problem}`);
  }
  return out;
}

// --- scenarios --------------------------------------------------------------------------------------

function describeStep(step) {
  if (step.restart) return `restart with ${step.restart.join(' ') || '(no flags)'}`;
  if (step.sleep) return `sleep ${step.sleep} ms`;
  const extras = [];
  if (step.client && step.client !== 'a') extras.push(`client ${step.client}`);
  if (step.body !== undefined) extras.push(`body ${JSON.stringify(step.body)}`);
  if (step.raw !== undefined) extras.push(`raw body ${JSON.stringify(step.raw)}`);
  if (step.headers) extras.push(JSON.stringify(step.headers));
  if (step.cookie !== undefined) extras.push('forged cookie');
  if (step.noJar) extras.push('no cookie');
  return `${step.method} ${step.path}${extras.length ? ' (' + extras.join(', ') + ')' : ''}`;
}

async function runStartupScenario(scenario, args) {
  const cortado = new LabProcess('cortado', args.cortado, [...scenario.flags, ...args.extra]);
  const node = new LabProcess('node', process.execPath, [path.join(here, 'session_lab.js'), ...scenario.flags]);
  const [cr, nr] = await Promise.all([cortado.start(), node.start()]);
  await Promise.all([cortado.stop('SIGKILL'), node.stop('SIGKILL')]);
  const shape = (server, r) => ({
    exit: r.exited ? r.exited.code ?? `signal ${r.exited.signal}` : r.port ? 'listening' : 'timeout',
    stderrLines: server.stderr.split('\n').filter((l) => l.length).length,
    stdout: server.stdout.length ? 'output' : 'empty',
  });
  const c = shape(cortado, cr);
  const n = shape(node, nr);
  const diffs = [];
  if (JSON.stringify(c) !== JSON.stringify(n))
    diffs.push(`startup: cortado ${JSON.stringify(c)} stderr=${JSON.stringify(cortado.stderr)}\n        node    ${JSON.stringify(n)} stderr=${JSON.stringify(node.stderr)}`);
  const want = { exit: 2, stderrLines: 1, stdout: 'empty' };
  if (JSON.stringify(n) !== JSON.stringify(want)) diffs.push(`[node] expected ${JSON.stringify(want)}, got ${JSON.stringify(n)}`);
  return diffs;
}

// A scenario with its own run: `custom` gets a way to start either lab with some flags and to
// send it a request, and returns its differences (strings). Every lab it starts is stopped after.
async function runCustomScenario(scenario, args) {
  const started = [];
  const start = async (side, flags) => {
    const server =
      side === 'cortado'
        ? new LabProcess('cortado', args.cortado, ['--port', '0', ...flags, ...args.extra])
        : new LabProcess('node', process.execPath, [path.join(here, 'session_lab.js'), '--port', '0', ...flags]);
    started.push(server);
    await server.listen();
    return server;
  };
  const request = async (server, method, urlPath, { cookie, body } = {}) => {
    const headers = [];
    if (cookie) headers.push(['Cookie', cookie]);
    let text;
    if (body !== undefined) {
      text = JSON.stringify(body);
      headers.push(['Content-Type', 'application/json']);
    }
    const res = await send(server.port, { method, path: urlPath, headers, body: text });
    // The cookies a browser would send back after this answer, over `cookie`.
    const jar = new Jar();
    if (cookie) for (const pair of cookie.split('; ')) jar.take([pair]);
    jar.take(res.setCookies);
    return { ...res, cookies: jar.header('/', true) ?? '' };
  };
  try {
    return await scenario.custom({ start, request });
  } finally {
    for (const server of started) if (!server.exit) await server.stop('SIGKILL');
  }
}

async function runScenario(scenario, args) {
  if (scenario.startup) return runStartupScenario(scenario, args);
  if (scenario.custom) return runCustomScenario(scenario, args);
  const cortado = new Side('cortado', [args.cortado], args.extra);
  const node = new Side('node', [process.execPath, path.join(here, 'session_lab.js')], []);
  const diffs = [];
  const verbose = [];

  const startBoth = async (flags) => {
    const [c, n] = await Promise.all([cortado.start(flags), node.start(flags)]);
    if (!c.port || !n.port) {
      diffs.push(`start failed: cortado ${JSON.stringify(c)} ${cortado.server.stderr.trim()} / node ${JSON.stringify(n)} ${node.server.stderr.trim()}`);
      return false;
    }
    return true;
  };
  const stopBoth = async (signal) => {
    const [c, n] = await Promise.all([cortado.server.stop(signal), node.server.stop(signal)]);
    const show = (e) => (e.code !== null ? `exit ${e.code}` : `signal ${e.signal}`);
    if (show(c) !== show(n)) diffs.push(`on ${signal}: cortado ${show(c)}, node ${show(n)}`);
    if (show(n) !== 'exit 0') diffs.push(`[node] expected exit 0 on ${signal}, got ${show(n)}`);
  };

  let running = await startBoth(scenario.flags);
  try {
    for (const [index, step] of scenario.steps.entries()) {
      if (!running) break;
      const label = `step ${index + 1}: ${describeStep(step)}`;
      if (step.restart) {
        await stopBoth('SIGTERM');
        running = await startBoth(step.restart);
        continue;
      }
      if (step.sleep) {
        await new Promise((r) => setTimeout(r, step.sleep));
        continue;
      }
      let c;
      let n;
      try {
        [c, n] = await Promise.all([runStep(cortado, node, step, scenario), runStep(node, cortado, step, scenario)]);
      } catch (err) {
        diffs.push(`${label}: request failed: ${err.message}`);
        break;
      }
      const stepDiffs = [
        ...compareStep(c, n, step),
        ...checkExpectations(n, step, 'node'),
        ...checkExpectations(c, step, 'cortado'),
      ];
      if (args.verbose) {
        verbose.push(`    ${label}`);
        verbose.push(`      cortado ${c.status} ${c.rawBody} ${c.setCookies.map((x) => x.text).join(' | ')}`);
        verbose.push(`      node    ${n.status} ${n.rawBody} ${n.setCookies.map((x) => x.text).join(' | ')}`);
      }
      if (stepDiffs.length) diffs.push(`${label}\n      ${stepDiffs.join('\n      ')}`);
    }
  } finally {
    if (running) await stopBoth(scenario.signal ?? 'SIGTERM');
    else {
      if (cortado.server && !cortado.server.exit) await cortado.server.stop('SIGKILL');
      if (node.server && !node.server.exit) await node.server.stop('SIGKILL');
    }
  }
  if (args.verbose) console.log(verbose.join('\n'));
  return diffs;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const chosen = scenarios.filter((s) => !args.filter.length || args.filter.some((f) => s.name.includes(f)));
  const names = new Set();
  for (const s of scenarios) {
    if (names.has(s.name)) throw new Error(`duplicate scenario name ${s.name}`);
    names.add(s.name);
  }
  let passed = 0;
  let failed = 0;
  for (const scenario of chosen) {
    let diffs;
    try {
      diffs = await runScenario(scenario, args);
    } catch (err) {
      diffs = [`harness error: ${err.stack}`];
    }
    if (diffs.length === 0) {
      passed++;
      console.log(`ok   ${scenario.name}`);
    } else {
      failed++;
      console.log(`FAIL ${scenario.name}  [${scenario.flags.join(' ')}]`);
      for (const d of diffs) console.log(`    ${d}`);
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}

main().catch((err) => {
  console.error(err);
  console.log('0 passed, 1 failed');
  process.exit(1);
});
