// Session scenarios about the cookie itself: forged and foreign cookies, secret rotation, signals,
// and command lines that must be refused.
// (the step format is described in session_scenarios.mjs)

import { enc, forge, get, is, num } from './session_steps.mjs';

// --- forged and foreign cookies -----------------------------------------------------------------

// A scenario that first makes a session (views = 1), then sends `cookie` instead of the jar's.
function forged(name, cookie, { keeps = false, flags = [] } = {}) {
  return {
    name: `forged-${name}`,
    flags,
    steps: [
      get('/views', { expect: [num(1)] }),
      {
        method: 'GET',
        path: '/views',
        cookie,
        expect: keeps ? [num(2), is.noCookie()] : [num(1), is.cookie()],
      },
      get('/views', { expect: [num(keeps ? 3 : 2)] }),
    ],
  };
}

const wrongSig = (c) => enc('s:' + c.id + '.' + c.signature(c.id + 'x', c.secrets[0]));

export const forgedCookies = [
  forged('unsigned-id', (c) => `${c.name}=${c.id}`),
  forged('prefix-without-signature', (c) => `${c.name}=${enc('s:' + c.id)}`),
  forged('wrong-signature', (c) => `${c.name}=${wrongSig(c)}`),
  forged('truncated-signature', (c) => `${c.name}=${enc(c.sign(c.id, c.secrets[0]).slice(0, -1))}`),
  forged('signature-of-another-secret', (c) => `${c.name}=${enc(c.sign(c.id, 'another secret'))}`),
  forged('padded-signature', (c) => `${c.name}=${enc(c.sign(c.id, c.secrets[0]) + '=')}`),
  forged('signature-twice', (c) => `${c.name}=${enc(c.sign(c.sign(c.id, c.secrets[0]).slice(2), c.secrets[0]))}`),
  forged('garbage', (c) => `${c.name}=%%%garbage%ZZ`),
  forged('empty-value', (c) => `${c.name}=`),
  forged('only-prefix', (c) => `${c.name}=s:`),
  forged('prefix-and-dot', (c) => `${c.name}=s:.`),
  forged('no-equals', (c) => `${c.name}`),
  forged('empty-id-signed', (c) => `${c.name}=${enc(c.sign('', c.secrets[0]))}`),
  forged('dotted-id-signed', (c) => `${c.name}=${enc(c.sign(c.id + '.x', c.secrets[0]))}`),
  forged('unknown-id-signed', (c) => `${c.name}=${enc(c.sign('never-issued-' + 'x'.repeat(19), c.secrets[0]))}`),
  forged('other-name', (c) => `other.sid=${c.value}`),
  forged('name-case', (c) => `Connect.sid=${c.value}`),
  forged('duplicate-valid-first', (c) => `${c.name}=${c.value}; ${c.name}=garbage`, { keeps: true }),
  forged('duplicate-invalid-first', (c) => `${c.name}=garbage; ${c.name}=${c.value}`),
  forged('two-cookie-headers', (c) => ['theme=dark', `${c.name}=${c.value}`], { keeps: true }),
  forged('decoded-value', (c) => `${c.name}=${c.sign(c.id, c.secrets[0])}`, { keeps: true }),
  forged('quoted-value', (c) => `${c.name}="${c.value}"`, { keeps: true }),
  forged('spaces-around', (c) => `a=1 ;  ${c.name} = ${c.value}  ; b=2`, { keeps: true }),
  forged('resigned-by-runner', (c) => `${c.name}=${enc(c.sign(c.id, c.secrets[0]))}`, { keeps: true }),
  // the other server's cookie: correctly signed with the same secret, but not a session here
  forged('other-servers-cookie', (c) => `${c.name}=${c.otherValue}`),
  forged('other-servers-id-resigned', (c) => `${c.name}=${enc(c.sign(c.otherId, c.secrets[0]))}`),
];

// --- secrets --------------------------------------------------------------------------------------

export const secrets = [
  {
    name: 'rotation-old-secret-verifies',
    flags: ['--secret', 'new secret', '--secret', 'old secret'],
    steps: [
      get('/views', { expect: [num(1), is.cookie()] }),
      forge((c) => enc(c.sign(c.id, 'old secret')), { method: 'GET', path: '/views', expect: [num(2), is.noCookie(), is.kept()] }),
      forge((c) => enc(c.sign(c.id, 'new secret')), { method: 'GET', path: '/views', expect: [num(3)] }),
      forge((c) => enc(c.sign(c.id, 'unknown secret')), { method: 'GET', path: '/views', expect: [num(1), is.cookie(), is.changed()] }),
    ],
  },
  {
    name: 'rotation-rolling-resigns-with-first',
    flags: ['--secret', 'new secret', '--secret', 'old secret', '--rolling'],
    steps: [
      get('/views'),
      // answered with a cookie signed by the first secret (checked against the first --secret)
      forge((c) => enc(c.sign(c.id, 'old secret')), { method: 'GET', path: '/views', takeCookies: true, expect: [num(2), is.cookie(), is.kept()] }),
      get('/views', { expect: [num(3)] }),
    ],
  },
  {
    name: 'rotation-restart',
    flags: ['--secret', 'X'],
    steps: [
      get('/views', { expect: [num(1), is.cookie()] }),
      { restart: ['--secret', 'Y', '--secret', 'X'] },
      // the old cookie still verifies, but the memory store is new: the id is not adopted
      get('/views', { expect: [num(1), is.cookie(), is.changed()] }),
      get('/views', { expect: [num(2), is.kept()] }),
      get('/store/length', { expect: [num(1)] }),
    ],
  },
  {
    name: 'secret-with-odd-characters',
    flags: ['--secret', 's\u00e9cret; =+/ \u2603'],
    steps: [get('/views', { expect: [is.cookie()] }), get('/views', { expect: [num(2)] })],
  },
  {
    name: 'sigint-exits-zero',
    flags: [],
    signal: 'SIGINT',
    steps: [get('/views')],
  },
];

// --- command lines that must be refused -------------------------------------------------------------

export const startup = [
  ['unknown-flag', ['--port', '0', '--bogus']],
  ['missing-port', []],
  ['port-not-a-number', ['--port', 'eighty']],
  ['port-out-of-range', ['--port', '70000']],
  ['missing-value', ['--port', '0', '--name']],
  ['bad-secure', ['--port', '0', '--secure', 'maybe']],
  ['bad-max-age', ['--port', '0', '--max-age', 'soon']],
  ['bad-same-site', ['--port', '0', '--same-site', 'sometimes']],
  ['bad-priority', ['--port', '0', '--priority', 'urgent']],
  ['bad-proxy', ['--port', '0', '--proxy', 'yes']],
  ['bad-unset', ['--port', '0', '--unset', 'forget']],
  ['bad-store', ['--port', '0', '--store', 'nowhere']],
  ['bad-domain', ['--port', '0', '--domain', 'bad domain']],
  ['bad-cookie-name', ['--port', '0', '--name', 'bad name']],
  ['bad-cookie-path', ['--port', '0', '--cookie-path', '/a;b']],
].map(([name, flags]) => ({ name: `startup-${name}`, flags, startup: true }));

