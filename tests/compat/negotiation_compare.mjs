#!/usr/bin/env node
// Side by side: negotiation_app.js (Express with accepts, compression, cors, helmet) and
// negotiation_twin (the same app in cortado) get the same requests; status, bodies (decoded by
// their Content-Encoding with Node's zlib) and the headers these packages write are compared.
//
//   node negotiation_compare.mjs --twin BUILD_DIR/tests/negotiation_twin [--only SUBSTRING] [--verbose]
//
// One line per case, a diff under each mismatch, then "N passed, M failed"; exits 1 on a failure.
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const option = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
};
const twinPath = option('--twin', null);
const only = option('--only', null);
const verbose = process.argv.includes('--verbose');
if (!twinPath) {
  console.error('usage: node negotiation_compare.mjs --twin PATH_TO_negotiation_twin [--only SUBSTRING] [--verbose]');
  process.exit(2);
}

function start(name, command, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${name}: not listening within 20 s`)), 20000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /listening on 127\.0\.0\.1:(\d+)\n/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ name, child, port: Number(m[1]) });
      }
    });
    child.on('exit', (code) => reject(new Error(`${name} exited (${code}) before listening`)));
  });
}

function stop(server) {
  return new Promise((resolve) => {
    if (!server || server.child.exitCode !== null) return resolve();
    server.child.once('exit', resolve);
    server.child.kill('SIGTERM');
  });
}

// One request; the raw body bytes and the headers as Node's client reads them.
function send(port, req) {
  return new Promise((resolve) => {
    const r = http.request({ host: '127.0.0.1', port, method: req.method ?? 'GET', path: req.path, headers: req.headers ?? {}, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, rawHeaders: res.rawHeaders, body: Buffer.concat(chunks) }));
      });
    r.on('error', (e) => resolve({ error: e.message }));
    r.end();
  });
}

function decode(res) {
  const coding = res.headers['content-encoding'];
  try {
    if (coding === 'gzip') return zlib.gunzipSync(res.body).toString('latin1');
    if (coding === 'deflate') return zlib.inflateSync(res.body).toString('latin1');
    if (coding === 'br') return zlib.brotliDecompressSync(res.body).toString('latin1');
  } catch (e) {
    return `undecodable ${coding}: ${e.message}`;
  }
  return res.body.toString('latin1');
}

// The headers these packages write, compared by value.
const COMPARED = ['content-type', 'vary', 'content-encoding', 'cache-control',
  'access-control-allow-origin', 'access-control-allow-credentials', 'access-control-allow-methods',
  'access-control-allow-headers', 'access-control-expose-headers', 'access-control-max-age',
  'content-security-policy', 'content-security-policy-report-only', 'cross-origin-embedder-policy',
  'cross-origin-opener-policy', 'cross-origin-resource-policy', 'origin-agent-cluster', 'referrer-policy',
  'strict-transport-security', 'x-content-type-options', 'x-dns-prefetch-control', 'x-download-options',
  'x-frame-options', 'x-permitted-cross-domain-policies', 'x-xss-protection', 'x-powered-by'];

// helmet's headers, whose order is compared with the CORS headers'.
const ORDERED = COMPARED.slice(COMPARED.indexOf('content-security-policy'));

function view(res) {
  if (res.error) return { error: res.error };
  const v = { status: res.status, body: decode(res) };
  for (const h of COMPARED) if (res.headers[h] !== undefined) v[h] = res.headers[h];
  // ETag: whether there is one, and whether weak; its value hashes bytes the two encode alike.
  const etag = res.headers.etag;
  v.etag = etag === undefined ? 'none' : etag.startsWith('W/') ? 'weak' : 'strong:' + etag;
  // An encoded body: Node sends chunks, cortado its length (both are complete answers). An
  // identity body states its length in both.
  v.length = res.headers['content-encoding'] ? 'encoded' : res.headers['content-length'] ?? 'none';
  // The order the CORS and helmet headers were written in (the packages' order).
  v.order = res.rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase())
    .filter((n) => n.startsWith('access-control-') || n === 'vary' || ORDERED.includes(n)).join(' ');
  // A 204 states no length in cortado: RFC 9110 8.6 forbids Content-Length there, where the cors
  // package sets "0" for old Safari (which reads a 204 without a body anyway).
  if (res.status === 204 && v.length === '0') v.length = 'none';
  return v;
}

const cases = [];
const add = (name, req) => cases.push({ name, req });

// --- negotiation: Accept and friends, tricky ones included ---------------------------------------
const accepts = [undefined, '', '*/*', 'text/html', 'application/json;q=0.5, text/html', 'text/*;q=0.5, text/html;q=0',
  'text/html;level=1, text/html;q=0.9, */*;q=0.1', 'application/*, application/json;q=0', 'text/plain;q=0.5, text/html;q=0.5',
  'TEXT/HTML', 'text/html;q=abc, application/json', 'garbage', ',,,', 'text/html;charset="utf,8";q=0.8, */*;q=0.9',
  'image/png, */*;q=0', 'application/json;q=1.0e-1, text/plain;q=.2', 'text/html ; q = 0.3 , application/json'];
const typeOffers = [undefined, 'json', 'html', 'json,html', 'html,json', 'text/html,application/json', 'png,txt', 'text/html;level=1,text/html', 'nope,json', 'xml'];
accepts.forEach((a, i) => typeOffers.forEach((o) =>
  add(`accepts ${i} ${o ?? '(list)'}`, { path: '/accepts' + (o ? '?o=' + encodeURIComponent(o) : ''), headers: a === undefined ? {} : { accept: a } })));
const charsets = [undefined, '', 'utf-8', 'utf-8;q=0.5, iso-8859-1', '*;q=0.1, utf-8', 'ISO-8859-1, utf-8;q=0', 'utf-8;q=x'];
charsets.forEach((a, i) => [undefined, 'utf-8', 'iso-8859-1,utf-8', 'utf-7'].forEach((o) =>
  add(`charsets ${i} ${o ?? '(list)'}`, { path: '/charsets' + (o ? '?o=' + o : ''), headers: a === undefined ? {} : { 'accept-charset': a } })));
const encodings = [undefined, '', 'gzip', 'gzip, deflate, br', 'br;q=0.5, gzip;q=0.5', 'identity;q=0', '*;q=0', '*', 'gzip;q=0, *',
  'deflate;q=0.9, GZIP;q=0.9', 'x-unknown'];
encodings.forEach((a, i) => [undefined, 'gzip', 'gzip,deflate', 'br,gzip,identity', 'identity'].forEach((o) =>
  add(`encodings ${i} ${o ?? '(list)'}`, { path: '/encodings' + (o ? '?o=' + o : ''), headers: a === undefined ? {} : { 'accept-encoding': a } })));
const languages = [undefined, '', 'en', 'en-US, en;q=0.8, fr;q=0.5', 'fr-CA, *;q=0.1', 'en-gb;q=0.8, EN', 'de;q=0, *', 'es-419'];
languages.forEach((a, i) => [undefined, 'en', 'en-US,en-GB', 'fr,de', 'es', 'en-us'].forEach((o) =>
  add(`languages ${i} ${o ?? '(list)'}`, { path: '/languages' + (o ? '?o=' + o : ''), headers: a === undefined ? {} : { 'accept-language': a } })));
['text/plain', 'text/html', 'application/json', '*/*', 'image/png', 'text/*;q=0.5, application/json', undefined].forEach((a) => {
  add(`format ${a}`, { path: '/format', headers: a === undefined ? {} : { accept: a } });
  add(`format-default ${a}`, { path: '/format-default', headers: a === undefined ? {} : { accept: a } });
});
[['Accept'], ['accept', 'Accept'], ['Origin', 'Accept'], ['*', 'Accept'], ['Accept', '*'], ['a, b', 'B, c'], ['Accept', 'bad header'], ['Accept', '']]
  .forEach(([pre, f], i) => add(`vary ${i}`, { path: `/vary?pre=${encodeURIComponent(pre)}&f=${encodeURIComponent(f)}` }));

// Generated headers: pieces of the grammar and junk joined at random from a fixed seed (the same
// cases on every run), each sent to all four negotiations.
let seed = 20261204;
const random = (n) => {
  seed = (seed * 1103515245 + 12345) % 2147483648;
  return Math.floor(seed / 65536) % n; // the high bits: the low ones of this generator cycle quickly
};
const pick = (list) => list[random(list.length)];
const values = ['text/html', '*/*', 'application/json', 'text/*', 'TEXT/Plain', 'gzip', 'br', 'deflate', 'identity', '*',
  'en-US', 'en', 'fr', 'utf-8', 'iso-8859-1', '', 'a/b/c', 'image/png'];
const params = ['', '', ';q=0', ';q=0.5', ';q=1', ';level=1', ';q=', ';q=abc', ';x="a,b"', ';Q=0.2', ' ; q = 0.3 ', ';q="0.4"', ';q=1e-1', ';=', ';q', '; charset=utf-8'];
const separators = [',', ', ', ',,', ' , ', ',\t'];
for (let n = 0; n < 150; ++n) {
  let header = '';
  const count = 1 + random(4);
  for (let k = 0; k < count; ++k) header += (k ? pick(separators) : '') + pick(values) + pick(params) + (random(8) === 0 ? pick([';', '"', '=', ' ']) : '');
  const o = pick(['json,html', 'text/html,text/plain', 'gzip,br,identity', 'en,fr,en-US', 'utf-8,iso-8859-1', 'png,txt', undefined]);
  const query = o ? '?o=' + encodeURIComponent(o) : '';
  add(`generated ${n} accept ${JSON.stringify(header)}`, { path: '/accepts' + query, headers: { accept: header } });
  add(`generated ${n} charset ${JSON.stringify(header)}`, { path: '/charsets' + query, headers: { 'accept-charset': header } });
  add(`generated ${n} encoding ${JSON.stringify(header)}`, { path: '/encodings' + query, headers: { 'accept-encoding': header } });
  add(`generated ${n} language ${JSON.stringify(header)}`, { path: '/languages' + query, headers: { 'accept-language': header } });
  if (n % 3 === 0) add(`generated ${n} compression ${JSON.stringify(header)}`, { path: '/z/text', headers: { 'accept-encoding': header } });
}

// --- compression ------------------------------------------------------------------------------------
const routes = ['json', 'text', 'small', 'png', 'no-transform', 'encoded', 'strong-etag', 'status', 'empty', 'static/style.css', 'static/hello.txt', 'static/pixel.png'];
const aes = [undefined, 'gzip', 'deflate', 'br', 'gzip, deflate, br', 'gzip;q=0.5, deflate', 'br;q=0, gzip;q=0', 'identity', '*', 'gzip;Q=0, br;q=0.1', 'x-unknown'];
for (const prefix of ['z', 'z0', 'zf'])
  for (const route of routes)
    for (const ae of (prefix === 'z' ? aes : [undefined, 'gzip', 'gzip, deflate, br']))
      add(`${prefix}/${route} ${ae ?? '(none)'}`, { path: `/${prefix}/${route}`, headers: ae === undefined ? {} : { 'accept-encoding': ae } });
add('zf forced', { path: '/zf/small', headers: { 'accept-encoding': 'gzip', 'x-compress': 'yes' } });
add('z head', { method: 'HEAD', path: '/z/text', headers: { 'accept-encoding': 'gzip' } });
add('z0 head', { method: 'HEAD', path: '/z0/static/style.css', headers: { 'accept-encoding': 'gzip' } });

// --- cors -------------------------------------------------------------------------------------------
const origins = [undefined, 'http://a.example', 'http://x.b.example', 'http://evil.test', 'http://z.ok'];
for (const set of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'])
  for (const origin of origins) {
    const o = origin === undefined ? {} : { origin };
    add(`${set} get ${origin}`, { path: `/${set}/x`, headers: o });
    add(`${set} preflight ${origin}`, { method: 'OPTIONS', path: `/${set}/x`,
      headers: { ...o, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'X-Custom, Content-Type' } });
  }

// --- helmet -----------------------------------------------------------------------------------------
for (const set of ['h1', 'h2', 'h3']) add(`${set}`, { path: `/${set}/x` });
for (const nonce of [undefined, 'abc123', 'self', 'a;b', 'x,y', 'nonce-1', 'unsafe-eval'])
  add(`h4 nonce ${nonce}`, { path: '/h4/x', headers: nonce === undefined ? {} : { 'x-nonce': nonce } });

// ----------------------------------------------------------------------------------------------------
const selected = only ? cases.filter((c) => c.name.includes(only)) : cases;
let node, twin;
try {
  node = await start('express', process.execPath, [path.join(here, 'negotiation_app.js'), '--port', '0', '--static', path.join(here, 'fixtures', 'static')]);
  twin = await start('cortado', twinPath, ['--port', '0', '--static', path.join(here, 'fixtures', 'static')]);
} catch (e) {
  console.error(e.message);
  await stop(node);
  await stop(twin);
  process.exit(2);
}
let passed = 0, failed = 0;
for (const c of selected) {
  const [a, b] = await Promise.all([send(node.port, c.req), send(twin.port, c.req)]);
  const x = view(a), y = view(b);
  const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
  const diffs = keys.filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]))
    .map((k) => `    ${k}: express ${JSON.stringify(x[k])?.slice(0, 300)}, cortado ${JSON.stringify(y[k])?.slice(0, 300)}`);
  if (diffs.length) {
    ++failed;
    console.log(`FAIL ${c.name}\n${diffs.join('\n')}`);
  } else {
    ++passed;
    if (verbose) console.log(`ok   ${c.name}`);
  }
}
await stop(node);
await stop(twin);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
