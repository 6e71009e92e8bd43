#!/usr/bin/env node
// Side by side: uploads_app.js (Express with multer) and uploads_twin (the same app in cortado)
// get the same multipart bodies; status and the JSON answers (fields, file metadata, multer's
// error codes) are compared.
//
//   node uploads_compare.mjs --twin BUILD_DIR/tests/uploads_twin [--only SUBSTRING] [--verbose]
//
// One line per case, a diff under each mismatch, then "N passed, M failed"; exits 1 on a failure.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
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
  console.error('usage: node uploads_compare.mjs --twin PATH_TO_uploads_twin [--only SUBSTRING] [--verbose]');
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

// One request with a body: Content-Length unless `chunked`.
function send(port, req) {
  return new Promise((resolve) => {
    const body = Buffer.from(req.body, 'latin1');
    const headers = { ...(req.headers ?? {}) };
    if (!req.chunked) headers['content-length'] = body.length;
    const r = http.request({ host: '127.0.0.1', port, method: 'POST', path: req.path, headers, agent: false },
      (res) => {
        const chunks = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], body: Buffer.concat(chunks).toString('utf8') }));
      });
    r.on('error', (e) => resolve({ error: e.message }));
    if (req.chunked) {
      r.write(body.subarray(0, body.length >> 1));
      r.end(body.subarray(body.length >> 1));
    } else {
      r.end(body);
    }
  });
}

const B = 'XyZzy-boundary-42';
const type = { 'content-type': `multipart/form-data; boundary=${B}` };
// A part from its header lines and content (all latin1 text: each char one byte on the wire).
const part = (headers, content) => `--${B}\r\n${headers.join('\r\n')}\r\n\r\n${content}\r\n`;
const field = (name, value) => part([`Content-Disposition: form-data; name="${name}"`], value);
const file = (name, filename, content, ctype) =>
  part([`Content-Disposition: form-data; name="${name}"; filename="${filename}"`, ...(ctype ? [`Content-Type: ${ctype}`] : [])], content);
const end = `--${B}--\r\n`;

const cases = [];
const add = (name, path, body, extra = {}) => cases.push({ name, req: { path, body, headers: { ...type, ...(extra.headers ?? {}) }, chunked: extra.chunked } });

// --- fields and files --------------------------------------------------------------------------
add('one field', '/any', field('title', 'Hello') + end);
add('repeated fields', '/any', field('tag', 'a') + field('tag', 'b') + field('tag', 'c') + field('x', '1') + end);
add('empty field', '/any', field('empty', '') + end);
add('field with CRLF inside', '/any', field('text', 'line1\r\nline2\r\n') + end);
add('field utf-8', '/any', field('name', 'caf\xc3\xa9 \xe2\x82\xac') + end);
add('file and fields', '/any', field('a', '1') + file('doc', 'report.txt', 'contents', 'text/plain') + field('b', '2') + end);
add('file no content type', '/any', file('doc', 'a.bin', 'xyz') + end);
add('file content type with params', '/any', file('doc', 'a.txt', 'xyz', 'Text/Plain; charset=UTF-8') + end);
add('binary file', '/any', file('bin', 'b.dat', '\x00\x01\xff\r\n--not-a-boundary\r\n\xfe', 'application/octet-stream') + end);
add('two files same field', '/any', file('f', 'one.txt', '1') + file('f', 'two.txt', '22') + end);
add('empty file', '/any', file('f', 'empty.txt', '') + end);
add('empty filename: no file', '/any', file('f', '', 'ignored') + field('a', '1') + end);
add('octet-stream part without filename', '/any', part(['Content-Disposition: form-data; name="raw"', 'Content-Type: application/octet-stream'], 'bytes') + end);
add('transfer encoding header', '/any', part(['Content-Disposition: form-data; name="f"; filename="e.txt"', 'Content-Transfer-Encoding: BASE64'], 'eHl6') + end);
add('header names in any case', '/any', part(['content-disposition: form-data; name="f"; filename="c.txt"', 'CONTENT-TYPE: image/PNG'], 'png') + end);
add('preamble and epilogue', '/any', 'This is the preamble.\r\n' + field('a', '1') + end + 'epilogue text');
add('part without headers', '/any', `--${B}\r\n\r\nnothing\r\n` + field('a', '1') + end);
add('attachment part skipped', '/any', part(['Content-Disposition: attachment; name="x"'], 'y') + field('a', '1') + end);
add('chunked body', '/any', field('a', '1') + file('f', 'c.txt', 'chunky') + end, { chunked: true });
add('quoted name with escape', '/any', part(['Content-Disposition: form-data; name="a\\"b"'], 'q') + end);
add('form escapes in names', '/any', part(['Content-Disposition: form-data; name="a%22b%0Ac"; filename="x%22y.txt"'], 'q') + end);
add('unquoted params', '/any', part(['Content-Disposition: form-data; name=plain; filename=file.txt'], 'q') + end);

// --- file names: never paths ---------------------------------------------------------------------
for (const name of ['../../etc/passwd', '/etc/shadow', 'C:\\Users\\me\\photo.jpg', '..', '.', 'dir/', 'a/../b.txt', ' spaced name .txt'])
  add(`filename ${JSON.stringify(name)}`, '/any', file('f', name, 'x') + end);
add('filename* utf-8', '/any', part([`Content-Disposition: form-data; name="f"; filename="plain.txt"; filename*=UTF-8''%E2%82%AC%20rates.txt`], 'x') + end);
add('filename* only', '/any', part([`Content-Disposition: form-data; name="f"; filename*=utf-8''na%C3%AFve.txt`], 'x') + end);
add('filename* latin1', '/any', part([`Content-Disposition: form-data; name="f"; filename*=ISO-8859-1''caf%E9.txt`], 'x') + end);
add('raw utf-8 filename', '/any', file('f', 'caf\xc3\xa9.txt', 'x') + end);

// --- single, array, fields, none -----------------------------------------------------------------
add('single ok', '/single', file('avatar', 'me.png', 'png', 'image/png') + field('nick', 'me') + end);
add('single two files', '/single', file('avatar', 'a.png', '1') + file('avatar', 'b.png', '2') + end);
add('single other field', '/single', file('photo', 'a.png', '1') + end);
add('single no file', '/single', field('nick', 'me') + end);
add('array within max', '/array', file('photos', '1.jpg', '1') + file('photos', '2.jpg', '2') + end);
add('array over max', '/array', file('photos', '1.jpg', '1') + file('photos', '2.jpg', '2') + file('photos', '3.jpg', '3') + end);
add('fields ok', '/fields', file('a', 'a.txt', 'A') + file('b', 'b1.txt', 'B1') + file('b', 'b2.txt', 'B2') + end);
add('fields over count', '/fields', file('a', 'a.txt', 'A') + file('a', 'a2.txt', 'A2') + end);
add('fields unknown', '/fields', file('c', 'c.txt', 'C') + end);
add('none with fields', '/none', field('a', '1') + field('b', '2') + end);
add('none with file', '/none', field('a', '1') + file('f', 'x.txt', 'x') + end);

// --- limits: each the most allowed, one more refused --------------------------------------------
add('fileSize at limit', '/limited', file('f', 'ten.txt', '0123456789') + end);
add('fileSize over limit', '/limited', file('f', 'eleven.txt', '0123456789A') + end);
add('files at limit', '/limited', file('f', '1', '1') + file('g', '2', '2') + end);
add('files over limit', '/limited', file('f', '1', '1') + file('g', '2', '2') + file('h', '3', '3') + end);
add('fields at limit', '/limited', field('a', '1') + field('b', '2') + field('c', '3') + end);
add('fields over limit', '/limited', field('a', '1') + field('b', '2') + field('c', '3') + field('d', '4') + end);
add('parts over limit', '/limited', field('a', '1') + field('b', '2') + file('f', '1', '1') + file('g', '2', '2') + field('c', '3') + part(['X-Nothing: 1'], '') + part(['X-Nothing: 2'], '') + end);
add('fieldSize at limit', '/limited', field('a', '12345678') + end);
add('fieldSize over limit', '/limited', field('a', '123456789') + end);
add('fieldNameSize at limit', '/limited', field('abcde', '1') + end);
add('fieldNameSize over limit', '/limited', field('abcdef', '1') + end);
add('fieldNameSize over limit on a file', '/limited', file('abcdef', 'x', '1') + end);

// --- malformed ---------------------------------------------------------------------------------------
add('missing field name', '/any', part(['Content-Disposition: form-data'], 'v') + end);
add('missing file field name', '/any', part(['Content-Disposition: form-data; filename="x.txt"'], 'v') + end);
add('no close delimiter', '/any', field('a', '1'));
add('cut inside a part header', '/any', `--${B}\r\nContent-Disposition: form-da`);
add('empty body', '/any', '');
add('no boundary', '/any', field('a', '1') + end, { headers: { 'content-type': 'multipart/form-data' } });
add('header without colon', '/any', `--${B}\r\nnot a header\r\n\r\nx\r\n` + end);
add('not multipart', '/any', 'a=1', { headers: { 'content-type': 'application/x-www-form-urlencoded' } });

// ----------------------------------------------------------------------------------------------------
const selected = only ? cases.filter((c) => c.name.includes(only)) : cases;
const destNode = fs.mkdtempSync(path.join(os.tmpdir(), 'uploads-express-'));
const destTwin = fs.mkdtempSync(path.join(os.tmpdir(), 'uploads-cortado-'));
let node, twin;
try {
  node = await start('express', process.execPath, [path.join(here, 'uploads_app.js'), '--port', '0', '--dest', destNode]);
  twin = await start('cortado', twinPath, ['--port', '0', '--dest', destTwin]);
} catch (e) {
  console.error(e.message);
  await stop(node);
  await stop(twin);
  process.exit(2);
}
let passed = 0, failed = 0;
for (const c of selected) {
  const [x, y] = await Promise.all([send(node.port, c.req), send(twin.port, c.req)]);
  const keys = [...new Set([...Object.keys(x), ...Object.keys(y)])];
  const diffs = keys.filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]))
    .map((k) => `    ${k}: express ${JSON.stringify(x[k])?.slice(0, 600)}, cortado ${JSON.stringify(y[k])?.slice(0, 600)}`);
  if (diffs.length) {
    ++failed;
    console.log(`FAIL ${c.name}\n${diffs.join('\n')}`);
  } else {
    ++passed;
    if (verbose) console.log(`ok   ${c.name}: ${x.status} ${x.body.slice(0, 200)}`);
  }
}
await stop(node);
await stop(twin);
// cortado removes the files once each response is out (multer leaves them to the app).
const left = fs.readdirSync(destTwin).length;
if (left) {
  ++failed;
  console.log(`FAIL cortado left ${left} file(s) in its dest after the responses`);
}
fs.rmSync(destNode, { recursive: true, force: true });
fs.rmSync(destTwin, { recursive: true, force: true });
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
