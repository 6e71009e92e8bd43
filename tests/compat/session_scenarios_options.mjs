// Session scenarios, one flag of session-lab after the other: save/resave/rolling, max-age, http-only,
// secure with and without a trusted proxy, cookie attributes, the cookie name, unset.
// (the step format is described in session_scenarios.mjs)

import { DEFAULT_COOKIE, HTTPS, get, is, num, ok, post } from './session_steps.mjs';

export const basics = [
  {
    name: 'views-count',
    flags: [],
    steps: [
      get('/views', { expect: [num(1), is.cookie(), is.changed(), is.attrs(['Path', 'HttpOnly'])] }),
      get('/views', { expect: [num(2), is.noCookie(), is.kept()] }),
      get('/views', { expect: [num(3)] }),
      get('/data', { expect: [is.body('{"views":3}')] }),
      get('/id', { expect: [is.body('"<id1>"')] }),
      get('/cookie', { expect: [is.body(DEFAULT_COOKIE), is.noCookie()] }),
      get('/get/views', { expect: [num(3)] }),
      get('/store/length', { expect: [num(1)] }),
    ],
  },
  {
    name: 'root-untouched-no-cookie',
    flags: [],
    steps: [
      get('/', { expect: [ok, is.noCookie()] }),
      get('/id', { expect: [is.noCookie()] }),
      get('/id', { expect: [is.noCookie()] }),
      get('/data', { expect: [is.body('{}')] }),
      get('/cookie', { expect: [is.body(DEFAULT_COOKIE)] }),
      get('/store/length', { expect: [num(0)] }),
    ],
  },
  {
    name: 'save-uninitialized',
    flags: ['--save-uninitialized'],
    steps: [
      get('/', { expect: [ok, is.cookie()] }),
      get('/', { expect: [is.noCookie(), is.kept()] }),
      get('/id', { expect: [is.body('"<id1>"')] }),
      get('/data', { expect: [is.body('{}')] }),
      get('/store/length', { expect: [num(1)] }),
      // a new client's session is saved at the end of its first request, after the count
      get('/store/length', { client: 'b', expect: [num(1), is.cookie()] }),
      get('/store/length', { client: 'b', expect: [num(2), is.noCookie()] }),
    ],
  },
  {
    name: 'save-uninitialized-off-until-modified',
    flags: [],
    steps: [
      get('/', { expect: [is.noCookie()] }),
      get('/store/length', { expect: [num(0)] }),
      get('/views', { expect: [num(1), is.cookie()] }),
      get('/store/length', { expect: [num(1)] }),
    ],
  },
  {
    name: 'resave-saves-unmodified',
    flags: ['--resave'],
    steps: [
      get('/views', { expect: [num(1)] }),
      // the clear empties the store; the end of this very request saves the session back
      post('/store/clear', undefined, { expect: [ok, is.noCookie()] }),
      get('/store/length', { expect: [num(1)] }),
      get('/views', { expect: [num(2), is.kept()] }),
      // resave never saves a new, unmodified session
      get('/', { client: 'b', expect: [is.noCookie()] }),
      get('/store/length', { expect: [num(1)] }),
    ],
  },
  {
    name: 'no-resave-only-touches',
    flags: [],
    steps: [
      get('/views', { expect: [num(1)] }),
      // a touch does not bring back what the store no longer has
      post('/store/clear', undefined, { expect: [ok] }),
      get('/store/length', { expect: [num(0)] }),
      get('/views', { expect: [num(1), is.changed()] }),
    ],
  },
  {
    name: 'resave-max-age',
    flags: ['--resave', '--max-age', '60000'],
    steps: [
      get('/views', { expect: [is.cookie(), is.attrs(['Path', 'Expires', 'HttpOnly'])] }),
      get('/', { expect: [is.noCookie()] }),
      get('/cookie'),
      get('/store/length', { expect: [num(1)] }),
    ],
  },
  {
    name: 'rolling',
    flags: ['--rolling'],
    steps: [
      get('/', { expect: [is.noCookie()] }),
      get('/views', { expect: [is.cookie()] }),
      get('/', { expect: [is.cookie(), is.kept()] }),
      get('/data', { expect: [is.cookie(), is.body('{"views":1}')] }),
    ],
  },
  {
    name: 'rolling-max-age',
    flags: ['--rolling', '--max-age', '60000'],
    steps: [
      get('/views', { expect: [is.cookie(), is.attrs(['Path', 'Expires', 'HttpOnly'])] }),
      { sleep: 1100 },
      get('/', { expect: [is.cookie(), is.kept()] }),
      get('/cookie', { expect: [is.cookie()] }),
    ],
  },
  {
    name: 'rolling-save-uninitialized',
    flags: ['--rolling', '--save-uninitialized'],
    steps: [
      get('/', { expect: [is.cookie()] }),
      get('/', { expect: [is.cookie(), is.kept()] }),
      get('/store/length', { expect: [num(1)] }),
    ],
  },
  {
    name: 'max-age',
    flags: ['--max-age', '60000'],
    steps: [
      get('/views', { expect: [num(1), is.cookie(), is.attrs(['Path', 'Expires', 'HttpOnly'])] }),
      get('/views', { expect: [num(2), is.cookie(), is.kept()] }),
      get('/', { expect: [is.noCookie()] }),
      get('/cookie', { expect: [is.noCookie()] }),
      get('/cookie', { client: 'b', expect: [is.noCookie()] }),
    ],
  },
  {
    name: 'max-age-expiry',
    flags: ['--max-age', '1500'],
    steps: [
      get('/views', { expect: [num(1)] }),
      get('/store/length', { expect: [num(1)] }),
      { sleep: 2100 },
      get('/store/length', { expect: [num(0)] }),
      get('/views', { sendAll: true, expect: [num(1)] }),
    ],
  },
  {
    name: 'no-http-only',
    flags: ['--no-http-only'],
    steps: [
      get('/views', { expect: [is.cookie(), is.attrs(['Path'])] }),
      get('/cookie', { expect: [is.body('{"originalMaxAge":null,"expires":null,"httpOnly":false,"path":"/"}')] }),
    ],
  },
];

export const secure = [
  {
    name: 'secure-true-over-http',
    flags: ['--secure', 'true'],
    steps: [
      get('/views', { expect: [num(1), is.noCookie()] }),
      get('/cookie', { expect: [is.body('{"originalMaxAge":null,"expires":null,"secure":true,"httpOnly":true,"path":"/"}')] }),
      // saved all the same; only the cookie is withheld
      get('/store/length', { expect: [num(1)] }),
    ],
  },
  {
    name: 'secure-true-trust-proxy-https',
    flags: ['--secure', 'true', '--trust-proxy'],
    steps: [
      get('/views', { headers: HTTPS, expect: [is.cookie(), is.attrs(['Path', 'HttpOnly', 'Secure'])] }),
      get('/views', { headers: HTTPS, expect: [num(2), is.noCookie()] }),
      get('/views', { expect: [num(3)] }),
      get('/cookie', { headers: HTTPS }),
    ],
  },
  {
    name: 'secure-true-trust-proxy-http',
    flags: ['--secure', 'true', '--trust-proxy'],
    steps: [
      get('/views', { headers: { 'X-Forwarded-Proto': 'http' }, expect: [is.noCookie()] }),
      get('/views', { headers: { 'X-Forwarded-Proto': 'http, https' }, expect: [is.noCookie()] }),
      get('/store/length', { expect: [num(2)] }),
    ],
  },
  {
    name: 'secure-true-trust-proxy-proto-forms',
    flags: ['--secure', 'true', '--trust-proxy'],
    steps: [
      // Express's req.protocol does not lower-case the header: "HTTPS" is not "https"
      get('/views', { client: 'upper', headers: { 'X-Forwarded-Proto': 'HTTPS' }, expect: [is.noCookie()] }),
      get('/views', { client: 'list', headers: { 'X-Forwarded-Proto': 'https, http' }, expect: [is.cookie()] }),
      get('/views', { client: 'tight', headers: { 'X-Forwarded-Proto': 'https,http' }, expect: [is.cookie()] }),
      get('/views', { client: 'empty', headers: { 'X-Forwarded-Proto': '' }, expect: [is.noCookie()] }),
    ],
  },
  {
    name: 'secure-true-xfp-without-trust',
    flags: ['--secure', 'true'],
    steps: [get('/views', { headers: HTTPS, expect: [is.noCookie()] })],
  },
  {
    name: 'secure-true-proxy-true',
    flags: ['--secure', 'true', '--proxy', 'true'],
    steps: [
      get('/views', { client: 'https', headers: HTTPS, expect: [is.cookie()] }),
      // express-session's own reading lower-cases and trims the first item
      get('/views', { client: 'upper', headers: { 'X-Forwarded-Proto': 'HTTPS' }, expect: [is.cookie()] }),
      get('/views', { client: 'list', headers: { 'X-Forwarded-Proto': 'https , http' }, expect: [is.cookie()] }),
      get('/views', { client: 'http', headers: { 'X-Forwarded-Proto': 'http' }, expect: [is.noCookie()] }),
      get('/views', { client: 'none', expect: [is.noCookie()] }),
    ],
  },
  {
    name: 'secure-true-proxy-false-beats-trust-proxy',
    flags: ['--secure', 'true', '--proxy', 'false', '--trust-proxy'],
    steps: [get('/views', { headers: HTTPS, expect: [is.noCookie()] })],
  },
  {
    name: 'secure-auto-http',
    flags: ['--secure', 'auto'],
    steps: [
      get('/views', { expect: [is.cookie(), is.attrs(['Path', 'HttpOnly'])] }),
      get('/cookie', { expect: [is.body('{"originalMaxAge":null,"expires":null,"secure":false,"httpOnly":true,"path":"/"}')] }),
    ],
  },
  {
    name: 'secure-auto-trust-proxy-https',
    flags: ['--secure', 'auto', '--trust-proxy'],
    steps: [
      get('/views', { headers: HTTPS, expect: [is.cookie(), is.attrs(['Path', 'HttpOnly', 'Secure'])] }),
      get('/cookie', { headers: HTTPS, expect: [is.body('{"originalMaxAge":null,"expires":null,"secure":true,"httpOnly":true,"path":"/"}')] }),
      get('/cookie', { client: 'b', expect: [is.body('{"originalMaxAge":null,"expires":null,"secure":false,"httpOnly":true,"path":"/"}')] }),
    ],
  },
  {
    name: 'secure-auto-proxy-true-https',
    flags: ['--secure', 'auto', '--proxy', 'true'],
    steps: [
      get('/views', { headers: HTTPS, expect: [is.cookie(), is.attrs(['Path', 'HttpOnly', 'Secure'])] }),
      get('/cookie', { headers: HTTPS }),
    ],
  },
  {
    name: 'secure-auto-decided-at-creation',
    flags: ['--secure', 'auto', '--trust-proxy', '--rolling'],
    steps: [
      // made over HTTPS: stays secure, so no cookie over plain HTTP
      get('/views', { client: 's', headers: HTTPS, expect: [is.cookie()] }),
      get('/views', { client: 's', expect: [num(2), is.noCookie()] }),
      get('/views', { client: 's', headers: HTTPS, expect: [num(3), is.cookie()] }),
      // made over HTTP: stays non-secure, so the cookie over HTTPS has no Secure
      get('/views', { client: 'p', expect: [is.cookie(), is.attrs(['Path', 'HttpOnly'])] }),
      get('/views', { client: 'p', headers: HTTPS, expect: [num(2), is.cookie(), is.attrs(['Path', 'HttpOnly'])] }),
    ],
  },
  {
    name: 'secure-false',
    flags: ['--secure', 'false'],
    steps: [
      get('/views', { headers: HTTPS, expect: [is.cookie(), is.attrs(['Path', 'HttpOnly'])] }),
      get('/cookie', { expect: [is.body('{"originalMaxAge":null,"expires":null,"secure":false,"httpOnly":true,"path":"/"}')] }),
    ],
  },
];

export const attributes = [
  ...['lax', 'strict', 'none'].map((v) => ({
    name: `same-site-${v}`,
    flags: ['--same-site', v],
    steps: [
      get('/views', { expect: [is.cookie(), is.attrs(['Path', 'HttpOnly', 'SameSite'])] }),
      get('/cookie', { expect: [is.body(`{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/","sameSite":"${v}"}`)] }),
    ],
  })),
  {
    name: 'cookie-path-views',
    flags: ['--cookie-path', '/views'],
    steps: [
      get('/views', { expect: [num(1), is.cookie(), is.attrs(['Path', 'HttpOnly'])] }),
      get('/views', { expect: [num(2)] }),
      // outside the path: no session at all, even with the cookie sent
      get('/', { expect: [ok, is.noCookie()] }),
      get('/', { sendAll: true, expect: [ok, is.noCookie()] }),
      get('/store/length', { sendAll: true, expect: [num(1)] }),
      get('/views?x=1', { expect: [num(3)] }),
      get('/views/', { expect: [num(4)] }),
      // the route matches without regard to case, the path filter does not
      get('/VIEWS', { sendAll: true, errorText: 'any', expect: [is.status(500), is.noCookie()] }),
      get('/data', { sendAll: true, errorText: 'any', expect: [is.status(500)] }),
    ],
  },
  {
    name: 'cookie-path-plain-prefix',
    flags: ['--cookie-path', '/vi', '--save-uninitialized'],
    steps: [
      get('/views', { sendAll: true, expect: [num(1), is.cookie()] }),
      get('/views', { sendAll: true, expect: [num(2), is.noCookie()] }),
      // outside the path req.sessionID is undefined: Express's res.json(undefined) sends no body
      get('/id', { sendAll: true, expect: [is.status(200), is.body(''), is.noCookie()] }),
      get('/data', { sendAll: true, errorText: 'any', expect: [is.status(500), is.noCookie()] }),
    ],
  },
  {
    name: 'cookie-path-outside-everything',
    flags: ['--cookie-path', '/app', '--save-uninitialized'],
    steps: [
      get('/', { expect: [ok, is.noCookie()] }),
      get('/store/length', { expect: [num(0)] }),
      post('/set/a', 1, { errorText: 'any', expect: [is.status(500), is.noCookie()] }),
      get('/store/length', { expect: [num(0)] }),
    ],
  },
  {
    name: 'domain',
    flags: ['--domain', 'example.com'],
    steps: [
      get('/views', { expect: [is.cookie(), is.attrs(['Domain', 'Path', 'HttpOnly'])] }),
      get('/cookie', { expect: [is.body('{"originalMaxAge":null,"expires":null,"httpOnly":true,"domain":"example.com","path":"/"}')] }),
    ],
  },
  {
    name: 'domain-leading-dot',
    flags: ['--domain', '.Example.COM'],
    steps: [get('/views', { expect: [is.cookie()] }), get('/cookie')],
  },
  {
    name: 'partitioned',
    flags: ['--partitioned'],
    steps: [
      get('/views', { expect: [is.cookie(), is.attrs(['Path', 'HttpOnly', 'Partitioned'])] }),
      get('/cookie', { expect: [is.body('{"originalMaxAge":null,"partitioned":true,"expires":null,"httpOnly":true,"path":"/"}')] }),
    ],
  },
  ...['low', 'medium', 'high'].map((v) => ({
    name: `priority-${v}`,
    flags: ['--priority', v],
    steps: [
      get('/views', { expect: [is.cookie(), is.attrs(['Path', 'HttpOnly', 'Priority'])] }),
      get('/cookie', { expect: [is.body(`{"originalMaxAge":null,"priority":"${v}","expires":null,"httpOnly":true,"path":"/"}`)] }),
    ],
  })),
  {
    name: 'all-attributes',
    flags: ['--max-age', '3600000', '--domain', 'example.com', '--cookie-path', '/', '--secure', 'true', '--trust-proxy',
      '--same-site', 'none', '--partitioned', '--priority', 'medium'],
    steps: [
      get('/views', { headers: HTTPS, expect: [is.cookie(), is.attrs(['Domain', 'Path', 'Expires', 'HttpOnly', 'Secure', 'Partitioned', 'Priority', 'SameSite'])] }),
      get('/cookie', { headers: HTTPS }),
      get('/views', { headers: HTTPS, expect: [num(2), is.cookie()] }),
    ],
  },
  {
    name: 'all-attributes-no-http-only',
    flags: ['--max-age', '3600000', '--domain', 'example.com', '--secure', 'auto', '--proxy', 'true',
      '--same-site', 'strict', '--partitioned', '--priority', 'low', '--no-http-only'],
    steps: [
      get('/views', { headers: HTTPS, expect: [is.cookie(), is.attrs(['Domain', 'Path', 'Expires', 'Secure', 'Partitioned', 'Priority', 'SameSite'])] }),
      get('/cookie', { headers: HTTPS }),
    ],
  },
  {
    name: 'cookie-name',
    flags: ['--name', 'lab.sid'],
    steps: [
      get('/views', { expect: [num(1), is.cookie()] }),
      get('/views', { expect: [num(2)] }),
      // the value under another name is not looked at
      { method: 'GET', path: '/views', cookie: (c) => `connect.sid=${c.value}`, expect: [num(1)] },
      get('/views', { expect: [num(3)] }),
    ],
  },
];

export const maxAgeFlags = [
  {
    name: 'max-age-zero-flag',
    flags: ['--max-age', '0'],
    steps: [
      get('/views', { expect: [num(1), is.cookie()] }),
      get('/cookie', { client: 'b' }),
      get('/views', { sendAll: true, expect: [num(1)] }),
    ],
  },
  {
    name: 'max-age-negative-flag',
    flags: ['--max-age', '-1000'],
    steps: [get('/views', { expect: [num(1), is.cookie()] }), get('/store/length', { expect: [num(0)] })],
  },
  {
    name: 'max-age-three-centuries',
    flags: ['--max-age', '10000000000000'],
    steps: [get('/views', { expect: [num(1), is.cookie()] }), get('/cookie'), get('/views', { expect: [num(2)] })],
  },
  {
    name: 'max-age-ten-years',
    flags: ['--max-age', '315360000000'],
    steps: [get('/views', { expect: [is.cookie()] }), get('/cookie'), get('/views', { expect: [num(2)] })],
  },
];

export const unset = [
  {
    name: 'unset-destroy-null-session',
    flags: ['--unset', 'destroy'],
    steps: [
      get('/views', { expect: [num(1)] }),
      post('/null-session', undefined, { expect: [ok, is.noCookie()] }),
      get('/store/length', { expect: [num(0)] }),
      get('/views', { expect: [num(1), is.changed()] }),
    ],
  },
  {
    name: 'unset-keep-null-session',
    flags: ['--unset', 'keep'],
    steps: [
      get('/views', { expect: [num(1)] }),
      post('/null-session', undefined, { expect: [ok, is.noCookie()] }),
      get('/store/length', { expect: [num(1)] }),
      get('/views', { expect: [num(2), is.kept()] }),
    ],
  },
  {
    name: 'unset-default-null-session',
    flags: ['--rolling', '--max-age', '60000'],
    steps: [
      get('/views', { expect: [num(1)] }),
      post('/null-session', undefined, { expect: [ok, is.noCookie()] }),
      get('/views', { expect: [num(2), is.cookie()] }),
    ],
  },
  {
    name: 'unset-keep-save-uninitialized-null-session',
    flags: ['--save-uninitialized'],
    steps: [
      post('/null-session', undefined, { expect: [ok, is.noCookie()] }),
      get('/store/length', { expect: [num(0)] }),
    ],
  },
  {
    name: 'unset-destroy-new-session',
    flags: ['--unset', 'destroy', '--save-uninitialized'],
    steps: [
      post('/null-session', undefined, { expect: [ok, is.noCookie()] }),
      get('/store/length', { expect: [num(0)] }),
    ],
  },
  {
    name: 'unset-destroy-rolling',
    flags: ['--unset', 'destroy', '--rolling', '--max-age', '60000'],
    steps: [
      get('/views', { expect: [num(1)] }),
      post('/null-session', undefined, { expect: [ok, is.noCookie()] }),
      get('/store/length', { expect: [num(0)] }),
    ],
  },
  {
    name: 'unset-destroy-then-destroy',
    flags: ['--unset', 'destroy'],
    steps: [
      get('/views'),
      post('/destroy', undefined, { expect: [ok, is.noCookie()] }),
      get('/store/length', { expect: [num(0)] }),
    ],
  },
];

