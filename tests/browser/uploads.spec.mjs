// Uploads from a real browser: Debian's headless chromium fills a multipart form and posts it to
// the uploads twin (tests/compat/uploads_twin.cpp: multipart() routes that answer with what they
// received), as a person choosing files would. Checks what arrived, the 413 of a file over the
// limit, that a "../" filename stays a name, and that every temporary file is gone afterwards.
//
//   node uploads.spec.mjs --twin BUILD_DIR/tests/uploads_twin
//
// Prints one line per step and "N passed, M failed" last; exits 1 when a step failed.
import { chromium } from 'playwright-core';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const twinAt = args.indexOf('--twin');
if (twinAt < 0 || !args[twinAt + 1]) throw new Error('usage: node uploads.spec.mjs --twin PATH');
const twin = path.resolve(args[twinAt + 1]);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cortado-browser-uploads-'));
const dest = path.join(tmp, 'uploads');
fs.mkdirSync(dest);

// Starts the twin on a free port; resolves with its address once it prints it.
function startTwin() {
  return new Promise((resolve, reject) => {
    const child = spawn(twin, ['--port', '0', '--dest', dest], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error('the uploads twin did not start within 15 s')), 15000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (127\.0\.0\.1:\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, base: `http://${m[1]}` });
      }
    });
    child.once('exit', (code) => reject(new Error(`the uploads twin exited (${code}) before listening`)));
  });
}

let passed = 0;
let failed = 0;
async function step(name, body) {
  try {
    await body();
    passed++;
    console.log(`ok   ${name}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name}\n     ${String(error?.stack ?? error).split('\n').slice(0, 4).join('\n     ')}`);
  }
}

function expect(condition, message) {
  if (!condition) throw new Error(message);
}

// A page of our own with one multipart form posting to `action`; the browser writes the body.
async function formPage(page, action, fields) {
  const inputs = fields.map(([type, name]) => `<input type="${type}" name="${name}" ${type === 'file' ? 'multiple' : ''}>`);
  await page.setContent(`<form method="post" enctype="multipart/form-data" action="${action}">
    ${inputs.join('\n')}<button type="submit">send</button></form>`);
}

// Submits the form and returns the answer: its status and the JSON the twin wrote.
async function submit(page) {
  const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type=submit]')]);
  return { status: response.status(), json: JSON.parse(await response.text()) };
}

// The temporary files are removed once the response is sent: wait a little for that.
async function destIsEmpty() {
  for (let i = 0; i < 50; i++) {
    if (fs.readdirSync(dest).length === 0) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

let server = null;
let browser = null;
try {
  server = await startTwin();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(10000);
  const notes = 'first line\nsecond line, é\n';

  await step('a form with a text field and a file arrives as multer gives it', async () => {
    await formPage(page, `${server.base}/single`, [['text', 'title'], ['file', 'avatar']]);
    await page.fill('input[name=title]', 'holiday');
    await page.setInputFiles('input[name=avatar]', { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from(notes) });
    const { status, json } = await submit(page);
    expect(status === 200, `status ${status}`);
    expect(json.body.title === 'holiday', `body ${JSON.stringify(json.body)}`);
    expect(json.files.length === 1, `${json.files.length} files`);
    const [file] = json.files;
    expect(file.fieldname === 'avatar' && file.originalname === 'notes.txt' && file.mimetype === 'text/plain',
           JSON.stringify(file));
    expect(file.size === Buffer.byteLength(notes), `size ${file.size}`);
    expect(file.filename === 'random' && file.path === 'dest/filename', `stored as ${file.filename} at ${file.path}`);
    expect(await destIsEmpty(), `left behind: ${fs.readdirSync(dest)}`);
  });

  await step('several files in one field, one of 300 KB, arrive whole', async () => {
    await formPage(page, `${server.base}/array`, [['file', 'photos']]);
    const big = Buffer.alloc(300 * 1024, 'x');
    await page.setInputFiles('input[name=photos]', [
      { name: 'a.bin', mimeType: 'application/octet-stream', buffer: big },
      { name: 'b.txt', mimeType: 'text/plain', buffer: Buffer.from('b') },
    ]);
    const { status, json } = await submit(page);
    expect(status === 200, `status ${status}`);
    expect(json.files.map((f) => `${f.originalname}:${f.size}`).join(',') === `a.bin:${big.length},b.txt:1`,
           JSON.stringify(json.files.map((f) => [f.originalname, f.size])));
    expect(await destIsEmpty(), `left behind: ${fs.readdirSync(dest)}`);
  });

  await step('a file over the limit is refused with 413 and nothing is kept', async () => {
    await formPage(page, `${server.base}/limited`, [['file', 'f']]);  // fileSize limit: 10 bytes
    await page.setInputFiles('input[name=f]', { name: 'big.txt', mimeType: 'text/plain', buffer: Buffer.alloc(4096, 'y') });
    const { status, json } = await submit(page);
    expect(status === 413, `status ${status}`);
    expect(json.code === 'LIMIT_FILE_SIZE', JSON.stringify(json));
    expect(await destIsEmpty(), `left behind: ${fs.readdirSync(dest)}`);
  });

  await step('a "../" file name is only a name: the file is stored under dest with a random one', async () => {
    await formPage(page, `${server.base}/any`, [['file', 'doc']]);
    await page.setInputFiles('input[name=doc]', { name: '../../escape.txt', mimeType: 'text/plain', buffer: Buffer.from('z') });
    const { status, json } = await submit(page);
    expect(status === 200, `status ${status}`);
    const [file] = json.files;
    expect(!file.originalname.includes('/'), `originalname ${file.originalname}`);
    expect(file.filename === 'random' && file.path === 'dest/filename', `stored as ${file.filename} at ${file.path}`);
    expect(!fs.existsSync(path.join(tmp, 'escape.txt')) && !fs.existsSync(path.join(path.dirname(tmp), 'escape.txt')),
           'a file was written outside dest');
    expect(await destIsEmpty(), `left behind: ${fs.readdirSync(dest)}`);
  });
} catch (error) {
  failed++;
  console.log(`FAIL setting up: ${error?.stack ?? error}`);
} finally {
  await browser?.close();
  server?.child.kill('SIGTERM');
  fs.rmSync(tmp, { recursive: true, force: true });
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
