// Session scenarios with --store cookie: cortado's cookie_session() against Node's cookie-session
// 2.1.1, on the same requests. The cookies are compared byte for byte (the same data and keys
// give the same base64 and the same Keygrip signature); forged, truncated and replayed cookies,
// key rotation, every cookie option; and cookies written by each side read by the other.
// (the step format is described in session_scenarios.mjs)

import { enc, forge, get, is, num, ok, post, postRaw } from './session_steps.mjs';

const COOKIE = ['--store', 'cookie'];
const b64 = (json) => Buffer.from(json).toString('base64');
const signed = (c, value, key = c.secrets[0]) => `${c.name}=${value}; ${c.name}.sig=${c.grip(`${c.name}=${value}`, key)}`;
const notImplemented = is.status(501);
// How many Set-Cookie headers (a signed cookie session writes two: the value and its signature).
const setsCookies = (n) => (r) => (r.setCookies.length === n ? null : `${n} Set-Cookie, got ${r.setCookies.length}`);

// --- what an app does with the session -----------------------------------------------------------

export const cookieBasics = [
  {
    name: 'cookie-views',
    flags: COOKIE,
    steps: [get('/views', { expect: [num(1), is.status(200)] }), get('/views', { expect: [num(2)] }), get('/views', { expect: [num(3)] })],
  },
  {
    name: 'cookie-empty-new-session-writes-nothing',
    flags: COOKIE,
    steps: [
      get('/', { expect: [is.noCookie()] }),
      get('/data', { expect: [is.body('{}'), is.noCookie()] }),
      get('/get/isNew', { expect: [is.body('true')] }),
      get('/get/isPopulated', { expect: [is.body('false')] }),
      get('/get/isChanged', { expect: [is.body('true')] }),
      post('/unset/nothing', undefined, { expect: [ok, is.noCookie()] }),
    ],
  },
  {
    name: 'cookie-getters',
    flags: COOKIE,
    steps: [
      get('/views'),
      get('/get/isNew', { expect: [is.body('false'), is.noCookie()] }),
      get('/get/isChanged', { expect: [is.body('false')] }),
      get('/get/isPopulated', { expect: [is.body('true')] }),
      post('/set/isNew', true, { expect: [ok, is.noCookie()] }), // a getter: the assignment is ignored
      post('/set/views', 1, { expect: [ok, is.noCookie()] }), // the same value: unchanged
      post('/set/views', 5, { expect: [ok, setsCookies(2)] }),
      get('/data', { expect: [is.body('{"views":5}')] }),
    ],
  },
  {
    name: 'cookie-set-get-unset',
    flags: COOKIE,
    steps: [
      post('/set/cart', { items: ['beans', 'jug'], total: 23.5, gift: null, note: 'caf\u00e9 \u2615 \ud83d\ude00' }),
      get('/get/cart'),
      get('/data'),
      post('/set/n', -0),
      post('/set/big', 1e21),
      postRaw('/set/text', '"\\u2028 <script>"'),
      get('/data'),
      post('/unset/cart'),
      get('/data'),
      post('/unset/n'),
      post('/unset/big'),
      post('/unset/text', undefined, { expect: [ok, setsCookies(2)] }),
      get('/data', { expect: [is.body('{}'), is.noCookie()] }),
      get('/views', { expect: [num(1)] }),
    ],
  },
  {
    name: 'cookie-key-order',
    flags: COOKIE,
    steps: [post('/set/b', 1), post('/set/a', 2), post('/set/10', 3), post('/set/2', 4), get('/data'), get('/views'), get('/data')],
  },
  {
    name: 'cookie-key-named-cookie',
    flags: COOKIE,
    steps: [post('/set/cookie', { a: 1 }), get('/cookie'), get('/get/cookie'), get('/data'), get('/views')],
  },
  {
    name: 'cookie-set-without-body-deletes',
    flags: COOKIE,
    steps: [get('/views'), post('/set/views', undefined, { expect: [ok, setsCookies(2)] }), get('/data', { expect: [is.body('{}')] })],
  },
  {
    name: 'cookie-null-session-clears',
    flags: COOKIE,
    steps: [
      get('/views'),
      post('/null-session', undefined, { expect: [ok] }),
      get('/data', { expect: [is.body('{}'), is.noCookie()] }),
      post('/null-session', undefined, { expect: [ok] }), // no cookie at all: still cleared
      get('/views', { expect: [num(1)] }),
    ],
  },
  {
    name: 'cookie-operations',
    flags: COOKIE,
    steps: [
      get('/views'),
      post('/set/user', 'ana'),
      post('/regenerate'),
      get('/data', { expect: [is.body('{}')] }),
      get('/views'),
      post('/login', { user: 'bob' }),
      get('/data'),
      post('/logout', undefined, { expect: [ok] }),
      get('/data', { expect: [is.body('{}')] }),
      get('/views'),
      post('/save', undefined, { expect: [ok, is.noCookie()] }),
      post('/touch', undefined, { expect: [ok, is.noCookie()] }),
      post('/reload'),
      post('/destroy', undefined, { expect: [ok] }),
      get('/data', { expect: [is.body('{}')] }),
      post('/regenerate', undefined, { expect: [is.noCookie()] }), // a new, empty session: nothing to write
    ],
  },
  {
    name: 'cookie-reload-drops-this-requests-changes',
    flags: COOKIE,
    steps: [get('/views'), get('/views'), post('/reload', undefined, { expect: [is.body('{"views":2}')] }), get('/views', { expect: [num(3)] })],
  },
  {
    name: 'cookie-id-and-cookie-routes',
    flags: COOKIE,
    steps: [get('/id', { expect: [is.body('')] }), get('/views'), get('/id', { expect: [is.body('')] }), get('/cookie', { expect: [is.body('')] })],
  },
  {
    name: 'cookie-max-age-per-request',
    flags: COOKIE,
    steps: [get('/views'), post('/max-age/60000'), get('/views'), post('/max-age/0'), post('/set/x', 1)],
  },
  {
    name: 'cookie-store-routes-501',
    flags: COOKIE,
    steps: [
      get('/store/length', { expect: [notImplemented] }),
      post('/store/clear', undefined, { expect: [notImplemented] }),
      get('/throw', { expect: [is.status(500)] }),
      get('/slow/20', { expect: [num(1)] }),
    ],
  },
];

// --- options ---------------------------------------------------------------------------------------

export const cookieOptions = [
  {
    name: 'cookie-all-attributes',
    flags: [...COOKIE, '--name', 'app', '--max-age', '3600000', '--no-http-only', '--same-site', 'strict', '--domain', 'example.com', '--partitioned', '--priority', 'high'],
    steps: [get('/views', { expect: [setsCookies(2)] }), get('/views', { expect: [num(2)] })],
  },
  {
    name: 'cookie-path-option',
    flags: [...COOKIE, '--cookie-path', '/app'],
    steps: [get('/app/x'), get('/views', { expect: [num(1)] }), get('/views', { sendAll: true, expect: [num(2)] })],
  },
  {
    name: 'cookie-same-site-none-secure',
    flags: [...COOKIE, '--same-site', 'none', '--secure', 'true', '--trust-proxy'],
    steps: [get('/views', { headers: { 'X-Forwarded-Proto': 'https' } })],
  },
  {
    name: 'cookie-secure-true-over-http-writes-nothing',
    flags: [...COOKIE, '--secure', 'true', '--trust-proxy'],
    steps: [
      get('/views', { expect: [num(1), is.noCookie()] }),
      get('/views', { headers: { 'X-Forwarded-Proto': 'https' }, expect: [num(1)] }),
      get('/views', { headers: { 'X-Forwarded-Proto': 'https' }, expect: [num(2)] }),
    ],
  },
  {
    name: 'cookie-secure-auto-follows-the-request',
    flags: [...COOKIE, '--secure', 'auto', '--trust-proxy'],
    steps: [get('/views'), get('/views', { headers: { 'X-Forwarded-Proto': 'https' } })],
  },
  {
    name: 'cookie-secure-default-without-trust-proxy',
    flags: COOKIE,
    steps: [get('/views', { headers: { 'X-Forwarded-Proto': 'https' } })],
  },
  {
    name: 'cookie-secure-false',
    flags: [...COOKIE, '--secure', 'false', '--trust-proxy'],
    steps: [get('/views', { headers: { 'X-Forwarded-Proto': 'https' } })],
  },
  {
    name: 'cookie-unsigned',
    flags: [...COOKIE, '--unsigned'],
    steps: [
      get('/views', { expect: [num(1)] }),
      get('/views', { expect: [num(2)] }),
      forge((c) => b64('{"views":41}'), { method: 'GET', path: '/views', takeCookies: true, expect: [num(42)] }),
      forge((c) => b64('{"views":41}').replace(/=+$/, ''), { method: 'GET', path: '/views', expect: [num(42)] }),
      forge((c) => 'e3 0=', { method: 'GET', path: '/data', expect: [is.body('{}')] }),
      forge((c) => b64('["a","b"]'), { method: 'GET', path: '/data' }),
      forge((c) => b64('"h\u00e9\ud83d\ude00"'), { method: 'GET', path: '/data' }),
      forge((c) => b64('"str"'), { method: 'GET', path: '/views' }),
      forge((c) => b64('7'), { method: 'GET', path: '/get/isChanged', expect: [is.body('true')] }),
      forge((c) => b64('7'), { method: 'POST', path: '/save' }),
      forge((c) => b64('{"b":1,"a":2,"1":3}'), { method: 'POST', path: '/save' }),
      forge((c) => b64('{"isNew":1,"toString":2,"__proto__":{"a":1},"_ctx":3,"x":4}'), { method: 'GET', path: '/data' }),
      forge((c) => b64('{"a":1,"a":2}'), { method: 'GET', path: '/data' }),
      forge((c) => b64('{"a":"\\ud800"}'), { method: 'GET', path: '/views' }),
      forge((c) => Buffer.from('{"a":"\xff"}', 'latin1').toString('base64'), { method: 'GET', path: '/views' }),
      forge((c) => 'not json', { method: 'GET', path: '/views', expect: [num(1)] }),
      forge((c) => '%7B%7D', { method: 'GET', path: '/views' }),
      forge((c) => '"e30="', { method: 'GET', path: '/get/isNew', expect: [is.body('false')] }),
    ],
  },
  {
    name: 'cookie-overwrite-off-keeps-the-signature-clearing',
    flags: [...COOKIE, '--no-overwrite'],
    steps: [
      get('/views'),
      { method: 'GET', path: '/views', cookie: (c) => `${c.name}=${c.jar(c.name)}; ${c.name}.sig=forged`, expect: [num(1)] },
    ],
  },
  {
    name: 'cookie-overwrite-on-replaces-the-signature-clearing',
    flags: COOKIE,
    steps: [
      get('/views'),
      { method: 'GET', path: '/views', cookie: (c) => `${c.name}=${c.jar(c.name)}; ${c.name}.sig=forged`, expect: [num(1)] },
    ],
  },
];

// --- forged, truncated, replayed cookies; keys ---------------------------------------------------

// A scenario that makes a session (views = 1), then sends `cookie` (a function of the forge
// context) to /views, then /data with it (unchanged: shows what a mere read writes).
function forgedCookie(name, cookie, { keeps = false, flags = COOKIE } = {}) {
  return {
    name: `cookie-forged-${name}`,
    flags,
    steps: [
      get('/views', { expect: [num(1)] }),
      { method: 'GET', path: '/views', cookie, expect: [num(keeps ? 2 : 1)] },
      { method: 'GET', path: '/data', cookie },
      get('/views', { expect: [num(2)] }),
    ],
  };
}

const value = (c) => c.jar(c.name);
const sig = (c) => c.jar(`${c.name}.sig`);

export const cookieForged = [
  forgedCookie('untouched', (c) => `${c.name}=${value(c)}; ${c.name}.sig=${sig(c)}`, { keeps: true }),
  forgedCookie('value-changed', (c) => `${c.name}=${b64('{"views":9}')}; ${c.name}.sig=${sig(c)}`),
  forgedCookie('value-truncated', (c) => `${c.name}=${value(c).slice(0, -2)}; ${c.name}.sig=${sig(c)}`),
  forgedCookie('value-padding-dropped', (c) => `${c.name}=${value(c).replace(/=+$/, '')}; ${c.name}.sig=${sig(c)}`),
  forgedCookie('signature-changed', (c) => `${c.name}=${value(c)}; ${c.name}.sig=${sig(c).slice(0, -1)}${sig(c).endsWith('A') ? 'B' : 'A'}`),
  forgedCookie('signature-truncated', (c) => `${c.name}=${value(c)}; ${c.name}.sig=${sig(c).slice(0, -1)}`),
  forgedCookie('signature-padded', (c) => `${c.name}=${value(c)}; ${c.name}.sig=${sig(c)}=`),
  forgedCookie('signature-missing', (c) => `${c.name}=${value(c)}`),
  forgedCookie('signature-empty', (c) => `${c.name}=${value(c)}; ${c.name}.sig=`),
  forgedCookie('signature-only', (c) => `${c.name}.sig=${sig(c)}`),
  forgedCookie('value-empty-signed', (c) => signed(c, '')),
  forgedCookie('signed-with-another-key', (c) => signed(c, b64('{"views":9}'), 'another key')),
  forgedCookie('signed-for-another-name', (c) => `${c.name}=${value(c)}; ${c.name}.sig=${c.grip(`other=${value(c)}`, c.secrets[0])}`),
  forgedCookie('resigned-by-runner', (c) => signed(c, value(c)), { keeps: true }),
  forgedCookie('signed-garbage', (c) => signed(c, 'not base64 json')),
  forgedCookie('signed-array', (c) => signed(c, b64('[5]'))),
  forgedCookie('quoted', (c) => `${c.name}="${value(c)}"; ${c.name}.sig="${sig(c)}"`, { keeps: true }),
  forgedCookie('spaces-around', (c) => `a=1;  ${c.name}=${value(c)};   ${c.name}.sig=${sig(c)} ; b=2`),
  forgedCookie('duplicate-valid-first', (c) => `${c.name}=${value(c)}; ${c.name}.sig=${sig(c)}; ${c.name}=garbage`, { keeps: true }),
  forgedCookie('duplicate-invalid-first', (c) => `${c.name}=garbage; ${c.name}=${value(c)}; ${c.name}.sig=${sig(c)}`),
  forgedCookie('percent-encoded', (c) => `${c.name}=${enc(value(c))}; ${c.name}.sig=${sig(c)}`, { keeps: false }),
  forgedCookie('other-servers-cookies', (c) => c.otherHeader, { keeps: true }),
  {
    name: 'cookie-replayed',
    flags: COOKIE,
    steps: [
      get('/views', { expect: [num(1)] }),
      get('/views', { expect: [num(2)] }),
      get('/views', { expect: [num(3)] }),
      // An older cookie, still signed, is taken again (cookie-session has no replay defence).
      { method: 'GET', path: '/views', cookie: (c) => signed(c, b64('{"views":1}')), expect: [num(2)] },
    ],
  },
  {
    name: 'cookie-rotation-old-key-verifies-and-is-resigned',
    flags: [...COOKIE, '--secret', 'new key', '--secret', 'old key'],
    steps: [
      // Read unchanged: only the signature is written again, with the first key.
      { method: 'GET', path: '/data', cookie: (c) => signed(c, b64('{"views":7}'), 'old key'), expect: [is.body('{"views":7}'), setsCookies(1)] },
      { method: 'GET', path: '/views', cookie: (c) => signed(c, b64('{"views":7}'), 'old key'), takeCookies: true, expect: [num(8), setsCookies(2)] },
      get('/views', { expect: [num(9)] }),
      { method: 'GET', path: '/views', cookie: (c) => signed(c, b64('{"views":7}'), 'unknown key'), expect: [num(1)] },
    ],
  },
  {
    name: 'cookie-rotation-retired-key',
    flags: [...COOKIE, '--secret', 'old key'],
    steps: [
      get('/views', { expect: [num(1)] }),
      { restart: [...COOKIE, '--secret', 'new key', '--secret', 'old key'] },
      get('/views', { expect: [num(2)] }),
      { restart: [...COOKIE, '--secret', 'new key'] },
      get('/views', { expect: [num(3)] }), // the cookie was signed again with the new key
      { method: 'GET', path: '/views', cookie: (c) => signed(c, b64('{"views":7}'), 'old key'), expect: [num(1)] },
    ],
  },
];

// --- command lines ---------------------------------------------------------------------------------

export const cookieStartup = [
  ['cookie-rolling', [...COOKIE, '--port', '0', '--rolling']],
  ['cookie-resave', [...COOKIE, '--port', '0', '--resave']],
  ['cookie-unset', [...COOKIE, '--port', '0', '--unset', 'destroy']],
  ['unsigned-without-cookie-store', ['--port', '0', '--unsigned']],
  ['cookie-bad-name', [...COOKIE, '--port', '0', '--name', 'a=b']],
  ['cookie-bad-same-site', [...COOKIE, '--port', '0', '--same-site', 'sometimes']],
].map(([name, flags]) => ({ name: `startup-${name}`, flags, startup: true }));

// --- cookies written by each side, read by the other ----------------------------------------------

const KEYS = ['--secret', 'shared key'];

// Each step: one side answers a request with the cookies the other side wrote last.
async function crossReading({ start, request }) {
  const diffs = [];
  const expect = (what, got, want) => {
    if (got !== want) diffs.push(`${what}: got ${got}, want ${want}`);
  };
  const node = await start('node', [...COOKIE, ...KEYS]);
  const cortado = await start('cortado', [...COOKIE, ...KEYS]);
  const cart = { items: ['beans', 'jug'], note: 'caf\u00e9 \ud83d\ude00', n: 1.5 };
  const n1 = await request(node, 'POST', '/set/cart', { body: cart });
  const c1 = await request(cortado, 'GET', '/data', { cookie: n1.cookies });
  expect("cortado reading Node's cookie", c1.body, JSON.stringify({ cart }));
  expect("cortado reading Node's cookie writes", c1.setCookies.length, 0);
  const c2 = await request(cortado, 'GET', '/views', { cookie: n1.cookies });
  const n2 = await request(node, 'GET', '/data', { cookie: c2.cookies });
  expect("Node reading cortado's cookie", n2.body, JSON.stringify({ cart, views: 1 }));
  const n3 = await request(node, 'GET', '/views', { cookie: c2.cookies });
  const c3 = await request(cortado, 'GET', '/views', { cookie: n3.cookies });
  expect('views after Node then cortado', c3.body, '3');
  const c4 = await request(cortado, 'POST', '/null-session', { cookie: c3.cookies });
  const n4 = await request(node, 'GET', '/data', { cookie: c4.cookies });
  expect("Node after cortado cleared the session", n4.body, '{}');
  // A cookie one side wrote, changed in transit: the other side refuses it too.
  const tampered = c3.cookies.replace(/session=([^;]*)/, (m, v) => `session=${Buffer.from(JSON.stringify({ views: 99 })).toString('base64')}`);
  const n5 = await request(node, 'GET', '/views', { cookie: tampered });
  expect("Node given cortado's tampered cookie", n5.body, '1');
  return diffs;
}

// Keys rotated across the two: each side verifies what the other signed with a retired key and
// signs it again with its first key, which the other then verifies alone.
async function crossRotation({ start, request }) {
  const diffs = [];
  const expect = (what, got, want) => {
    if (got !== want) diffs.push(`${what}: got ${got}, want ${want}`);
  };
  for (const [writer, reader] of [['node', 'cortado'], ['cortado', 'node']]) {
    const old = await start(writer, [...COOKIE, '--secret', 'old key']);
    const rotating = await start(reader, [...COOKIE, '--secret', 'new key', '--secret', 'old key']);
    const fresh = await start(writer, [...COOKIE, '--secret', 'new key']);
    const written = await request(old, 'GET', '/views');
    const read = await request(rotating, 'GET', '/data', { cookie: written.cookies });
    expect(`${reader} reading ${writer}'s old-key cookie`, read.body, '{"views":1}');
    expect(`${reader} signing it again`, read.setCookies.length, 1);
    const again = await request(fresh, 'GET', '/views', { cookie: read.cookies });
    expect(`${writer} with the new key alone`, again.body, '2');
    const refused = await request(fresh, 'GET', '/views', { cookie: written.cookies });
    expect(`${writer} with the new key alone, given the old-key cookie`, refused.body, '1');
  }
  return diffs;
}

export const cookieCross = [
  { name: 'cookie-cross-reading', flags: [...COOKIE, ...KEYS], custom: crossReading },
  { name: 'cookie-cross-rotation', flags: COOKIE, custom: crossRotation },
];

export const cookieStore = [...cookieBasics, ...cookieOptions, ...cookieForged, ...cookieStartup, ...cookieCross];
