// Request logs side by side: cortado's session-lab `--log FORMAT` against session_lab.js with
// morgan (the version pinned in package.json), the same requests to each, and the lines they
// print compared byte for byte once the clock's figures are masked (dates, response times).
//
//   node logger_compare.mjs --cortado PATH/TO/session-lab [--verbose]
//
// Prints one line per format and "N passed, M failed" last; exits non-zero on any failure.
import http from 'node:http';
import { LabProcess, running } from './lab_process.mjs';

const args = process.argv.slice(2);
const cortado = args[args.indexOf('--cortado') + 1];
const verbose = args.includes('--verbose');
if (!cortado || args.indexOf('--cortado') < 0) {
  console.error('usage: node logger_compare.mjs --cortado PATH [--verbose]');
  process.exit(2);
}
// morgan's dev is coloured whatever its stream unless NO_COLOR is set; cortado's only on a
// terminal (these are pipes), or never with NO_COLOR. Set, both write the same plain line.
process.env.NO_COLOR = '1';

const FORMATS = [
  'combined',
  'common',
  'dev',
  'short',
  'tiny',
  // Every token, each time figure behind a marker so that it can be masked (and its shape checked).
  ':method :url :status :res[content-length] :res[content-type] :res[x-none] :req[x-test] :req[accept] ' +
    ':http-version :remote-addr :remote-user ":referrer" ":user-agent" d=:date[clf] i=:date[iso] w=:date[web] ' +
    'x=:date[nope] rt=:response-time[1] tt=:total-time :a: ::',
  'json',
];

// The same requests, in order, to each server (Connection: close, so nothing rides on a pool).
const REQUESTS = [
  { method: 'GET', path: '/' },
  { method: 'GET', path: '/views', headers: { 'User-Agent': 'Mozilla/5.0 (X11; "quoted" \\ back)', Referer: 'http://example.com/a?b=c' } },
  { method: 'GET', path: '/get/na%20me?x=1&y=%22q%22' },
  { method: 'POST', path: '/set/k', headers: { 'Content-Type': 'application/json' }, body: '{"v":5}' },
  { method: 'GET', path: '/throw' },
  { method: 'GET', path: '/no/such/page', headers: { Accept: 'text/html' } },
  { method: 'HEAD', path: '/views' },
  { method: 'GET', path: '/data', headers: { Authorization: 'Basic dXNlcjpwYXNz' } },  // user:pass
  { method: 'GET', path: '/cookie', headers: { 'X-Test': 'tab\there', Referrer: 'http://old.example/' } },
  { method: 'GET', path: '/id', headers: { 'User-Agent': 'caf\u00e9 \u0085' } },  // Latin-1 bytes on the wire
  { method: 'POST', path: '/login', headers: { 'Content-Type': 'application/json' }, body: '{"user":"ann"}' },
  { method: 'GET', path: '/store/length', headers: { Authorization: 'Basic Ompw' } },  // an empty user name
  { method: 'GET', path: '/views', headers: { Authorization: 'Bearer x' } },
];

function send(port, r) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: r.method, path: r.path, agent: false, headers: { Connection: 'close', ...(r.headers || {}) } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      },
    );
    req.on('error', reject);
    req.end(r.body);
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The log lines printed after the `listening on` line, once there are `n` (waits at most 10 s:
// a missing line then shows as a difference rather than a hang).
async function logLines(lab, n) {
  for (let waited = 0; ; waited += 20) {
    const lines = lab.stdout.split('\n').slice(1).filter((l) => l !== '');
    if (lines.length >= n || waited > 10000) return lines;
    await sleep(20);
  }
}

// The clock's figures, masked after their shape is checked; a wrong shape stays visible.
function mask(line) {
  return line
    .replace(/\[\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000\]/g, '[CLF]')
    .replace(/d=\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000/g, 'd=CLF')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, 'ISO')
    .replace(/[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT/g, 'WEB')
    .replace(/ \d+\.\d{3} ms/g, ' T ms')
    .replace(/rt=\d+\.\d /g, 'rt=T ')
    .replace(/tt=\d+\.\d{3} /g, 'tt=T ');
}

function maskJson(line) {
  try {
    const o = JSON.parse(line);
    for (const key of ['response_time_ms', 'total_time_ms']) {
      if (typeof o[key] === 'number' && o[key] >= 0) o[key] = 'T';
    }
    if (/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(o.time)) o.time = 'ISO';
    return JSON.stringify(o);
  } catch {
    return 'not JSON: ' + line;
  }
}

async function runFormat(format) {
  const labs = [
    new LabProcess('cortado', cortado, ['--port', '0', '--threads', '1', '--log', format]),
    new LabProcess('node', 'node', ['session_lab.js', '--port', '0', '--log', format]),
  ];
  try {
    await Promise.all(labs.map((l) => l.listen()));
    const statuses = [];
    for (const lab of labs) {
      const got = [];
      for (const r of REQUESTS) got.push(await send(lab.port, r));
      statuses.push(got.join(','));
    }
    if (statuses[0] !== statuses[1]) return [`statuses differ: cortado ${statuses[0]}, node ${statuses[1]}`];
    const [ours, theirs] = await Promise.all(labs.map((l) => logLines(l, REQUESTS.length)));
    const m = format === 'json' ? maskJson : mask;
    // Sorted: lines are written as responses finish, and each server may finish them in its own order.
    const a = ours.map(m).sort();
    const b = theirs.map(m).sort();
    const problems = [];
    if (a.length !== b.length) problems.push(`${a.length} lines from cortado, ${b.length} from node`);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] !== b[i]) problems.push(`cortado: ${JSON.stringify(a[i])}\n      node:    ${JSON.stringify(b[i])}`);
    }
    if (verbose) for (const line of ours) console.log('    ' + JSON.stringify(line));
    return problems;
  } finally {
    await Promise.all(labs.map((l) => l.stop()));
  }
}

let passed = 0;
let failed = 0;
try {
  for (const format of FORMATS) {
    const problems = await runFormat(format);
    const name = format.length > 30 ? format.slice(0, 30) + '…' : format;
    if (problems.length === 0) {
      passed++;
      console.log(`ok    ${name}`);
    } else {
      failed++;
      console.log(`FAIL  ${name}`);
      for (const p of problems) console.log('      ' + p);
    }
  }
} catch (err) {
  failed++;
  console.log('FAIL  ' + err.message);
} finally {
  for (const lab of running) await lab.stop();
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
