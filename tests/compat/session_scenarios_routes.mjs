// Session scenarios, one route of session-lab after the other: the data routes and the session's
// operations (regenerate, destroy, reload, save, touch, max-age, login/logout, throw, store).
// (the step format is described in session_scenarios.mjs)

import { DEFAULT_COOKIE, get, is, num, ok, post, postRaw } from './session_steps.mjs';

export const data = [
  {
    name: 'get-set-unset',
    flags: [],
    steps: [
      post('/set/a', 1, { expect: [ok, is.cookie()] }),
      post('/set/b', { x: [1, 2, { y: null }], z: 'w' }, { expect: [ok] }),
      get('/get/a', { expect: [num(1)] }),
      get('/get/b', { expect: [is.body('{"x":[1,2,{"y":null}],"z":"w"}')] }),
      get('/get/missing', { expect: [is.body('null')] }),
      post('/unset/a', undefined, { expect: [ok] }),
      get('/get/a', { expect: [is.body('null')] }),
      get('/data', { expect: [is.body('{"b":{"x":[1,2,{"y":null}],"z":"w"}}')] }),
      post('/unset/missing', undefined, { expect: [ok] }),
      post('/unset/b'),
      get('/data', { expect: [is.body('{}')] }),
      get('/store/length', { expect: [num(1)] }),
    ],
  },
  {
    name: 'set-value-types',
    flags: [],
    steps: [
      post('/set/s', 'text'),
      post('/set/n', null),
      post('/set/t', true),
      post('/set/f', false),
      post('/set/arr', []),
      post('/set/obj', {}),
      post('/set/deep', { a: { b: { c: [[], [{}], 'x'] } } }),
      get('/data'),
      get('/get/n', { expect: [is.body('null')] }),
      get('/get/f', { expect: [is.body('false')] }),
      post('/set/s', 'again'),
      get('/data'),
    ],
  },
  {
    name: 'set-numbers',
    flags: [],
    steps: [
      ...['0.1', '1.0', '1e21', '-0', '1e-7', '123456789012345678901', '9007199254740993', '1.5e300', '-1.25', '2.5E+3',
        '0.000001', '5e-324', '18446744073709551615', '-9223372036854775808'].map((n, i) => postRaw(`/set/n${i}`, n)),
      get('/data'),
      get('/get/n0'),
      get('/get/n6'),
      get('/get/n12'),
    ],
  },
  {
    name: 'set-strings-unicode',
    flags: [],
    steps: [
      postRaw('/set/accent', '"\u00e9t\u00e9"'),
      postRaw('/set/control', '"a\\u0001b\\u001fc\\u007f"'),
      postRaw('/set/escapes', '"\\"\\\\\\/\\b\\f\\n\\r\\t"'),
      postRaw('/set/separators', '"\\u2028\\u2029"'),
      postRaw('/set/pair', '"\\ud83d\\ude00 \ud83d\ude00"'),
      postRaw('/set/html', '"</script><!--"'),
      post('/set/a%20b', 'space key'),
      post('/set/%C3%A9', 'accented key'),
      get('/data'),
      get('/get/a%20b'),
      get('/get/%C3%A9'),
    ],
  },
  {
    name: 'set-lone-surrogate',
    flags: [],
    steps: [postRaw('/set/lone', '"\\ud800x"'), get('/data'), get('/get/lone')],
  },
  {
    name: 'integer-like-keys',
    flags: [],
    steps: [
      post('/set/b', 1),
      post('/set/2', 2),
      post('/set/1', 3),
      post('/set/a', 4),
      post('/set/10', 5),
      post('/set/01', 6),
      post('/set/4294967295', 7),
      postRaw('/set/nested', '{"b":1,"7":2,"-1":3,"3":4}'),
      get('/data'),
      get('/get/nested'),
      get('/get/10', { expect: [num(5)] }),
    ],
  },
  {
    name: 'key-order-after-load',
    flags: [],
    steps: [
      post('/set/z', 1),
      post('/set/a', 2),
      post('/set/m', 3),
      post('/set/z', 4),
      get('/data', { expect: [is.body('{"z":4,"a":2,"m":3}')] }),
      post('/unset/a'),
      post('/set/a', 5),
      get('/data', { expect: [is.body('{"z":4,"m":3,"a":5}')] }),
    ],
  },
  {
    name: 'set-without-body',
    flags: [],
    steps: [
      // no Content-Type: express.json leaves req.body undefined, which JSON leaves out
      postRaw('/set/x', '', { contentType: null, expect: [ok] }),
      get('/data'),
      get('/get/x'),
      get('/store/length'),
    ],
  },
  {
    name: 'set-empty-json-body',
    flags: [],
    steps: [postRaw('/set/x', '', { expect: [ok] }), get('/data'), get('/get/x')],
  },
  {
    name: 'set-not-json-content-type',
    flags: [],
    steps: [postRaw('/set/x', '5', { contentType: 'text/plain' }), get('/data')],
  },
  {
    name: 'set-invalid-json',
    flags: [],
    steps: [
      postRaw('/set/x', '{bad', { errorText: 'any', expect: [is.status(400), is.noCookie()] }),
      get('/data', { expect: [is.body('{}')] }),
      get('/store/length', { expect: [num(0)] }),
    ],
  },
  {
    name: 'set-duplicate-json-keys',
    flags: [],
    steps: [postRaw('/set/x', '{"a":1,"b":2,"a":3}'), get('/get/x'), get('/data')],
  },
  {
    // what req.session[key] reads and writes in Node: `id` is the session's own read-only id,
    // `cookie` its Cookie object
    name: 'reserved-keys',
    flags: [],
    steps: [
      get('/views'),
      get('/get/id', { expect: [is.body('"<id1>"')] }),
      get('/get/cookie', { expect: [is.body(DEFAULT_COOKIE)] }),
      post('/set/id', 5, { expect: [ok] }),
      get('/data', { expect: [is.body('{"views":1}')] }),
      get('/get/id', { expect: [is.body('"<id1>"')] }),
      // writing the read-only id changes nothing, so a new session stays unsaved and cookieless
      post('/set/id', 5, { client: 'b', expect: [ok, is.noCookie()] }),
      get('/store/length', { expect: [num(1)] }),
    ],
  },
  {
    name: 'views-non-number',
    flags: [],
    steps: [
      post('/set/views', '5'),
      get('/views'),
      post('/set/views', 2.5),
      get('/views'),
      post('/set/views', true),
      get('/views'),
      post('/set/views', null),
      get('/views', { expect: [num(1)] }),
      post('/set/views', 0),
      get('/views', { expect: [num(1)] }),
    ],
  },
];

export const operations = [
  {
    name: 'regenerate',
    flags: [],
    steps: [
      get('/views', { expect: [num(1)] }),
      post('/regenerate', undefined, { expect: [is.body('"<id2>"'), is.cookie(), is.changed()] }),
      get('/data', { expect: [is.body('{}')] }),
      get('/id', { expect: [is.body('"<id2>"')] }),
      get('/store/length', { expect: [num(1)] }),
      get('/views', { expect: [num(1), is.noCookie()] }),
    ],
  },
  {
    name: 'regenerate-new-session',
    flags: [],
    steps: [
      post('/regenerate', undefined, { expect: [is.body('"<id1>"'), is.cookie()] }),
      get('/store/length', { expect: [num(1)] }),
      get('/id', { expect: [is.body('"<id1>"')] }),
    ],
  },
  {
    name: 'regenerate-resets-cookie',
    flags: ['--max-age', '60000'],
    steps: [
      get('/views'),
      post('/max-age/5000', undefined, { expect: [is.noCookie()] }),
      get('/cookie'),
      post('/regenerate', undefined, { expect: [is.cookie()] }),
      get('/cookie'),
    ],
  },
  {
    name: 'destroy',
    flags: [],
    steps: [
      get('/views', { expect: [num(1)] }),
      post('/destroy', undefined, { expect: [ok, is.noCookie()] }),
      get('/store/length', { expect: [num(0)] }),
      get('/views', { expect: [num(1), is.changed()] }),
    ],
  },
  {
    name: 'destroy-new-session',
    flags: ['--save-uninitialized'],
    steps: [
      post('/destroy', undefined, { expect: [ok, is.noCookie()] }),
      get('/store/length', { expect: [num(0)] }),
    ],
  },
  {
    name: 'destroy-rolling',
    flags: ['--rolling', '--max-age', '60000'],
    steps: [get('/views'), post('/destroy', undefined, { expect: [ok, is.noCookie()] }), get('/store/length', { expect: [num(0)] })],
  },
  {
    name: 'reload',
    flags: [],
    steps: [
      get('/views'),
      post('/set/a', 1),
      post('/reload', undefined, { expect: [is.body('{"views":1,"a":1}'), is.noCookie()] }),
      get('/data', { expect: [is.body('{"views":1,"a":1}')] }),
    ],
  },
  {
    name: 'reload-new-session',
    flags: [],
    steps: [post('/reload', undefined, { expect: [is.status(500), is.body('{"error":"failed to load session"}')] })],
  },
  {
    name: 'reload-after-clear',
    flags: [],
    steps: [
      get('/views'),
      post('/store/clear'),
      post('/reload', undefined, { expect: [is.status(500), is.body('{"error":"failed to load session"}')] }),
    ],
  },
  {
    name: 'save-new-session',
    flags: [],
    steps: [
      // saved to the store, yet no cookie: the session is unmodified and saveUninitialized is off
      post('/save', undefined, { expect: [ok, is.noCookie()] }),
      get('/store/length', { expect: [num(1)] }),
    ],
  },
  {
    name: 'save-existing',
    flags: [],
    steps: [get('/views'), post('/save', undefined, { expect: [ok, is.noCookie()] }), get('/views', { expect: [num(2)] })],
  },
  {
    name: 'save-save-uninitialized',
    flags: ['--save-uninitialized'],
    steps: [post('/save', undefined, { expect: [ok, is.cookie()] }), get('/store/length', { expect: [num(1)] })],
  },
  {
    name: 'touch-max-age',
    flags: ['--max-age', '60000'],
    steps: [
      get('/views'),
      { sleep: 1100 },
      post('/touch', undefined, { expect: [ok, is.noCookie()] }),
      get('/cookie'),
    ],
  },
  {
    name: 'touch-rolling',
    flags: ['--rolling', '--max-age', '60000'],
    steps: [get('/views'), post('/touch', undefined, { expect: [ok, is.cookie()] }), get('/cookie')],
  },
  {
    name: 'max-age-route',
    flags: [],
    steps: [
      get('/views'),
      post('/max-age/60000', undefined, { expect: [ok, is.noCookie()] }),
      get('/cookie', { expect: [is.noCookie()] }),
      get('/views', { expect: [num(2), is.cookie(), is.attrs(['Path', 'Expires', 'HttpOnly'])] }),
    ],
  },
  {
    name: 'max-age-route-new-session',
    flags: [],
    steps: [post('/max-age/60000', undefined, { expect: [ok, is.noCookie()] }), get('/store/length', { expect: [num(0)] })],
  },
  {
    name: 'max-age-route-zero-ends-session',
    flags: [],
    steps: [
      get('/views'),
      post('/max-age/0', undefined, { expect: [ok] }),
      get('/views', { expect: [num(1), is.changed()] }),
    ],
  },
  {
    name: 'max-age-route-negative',
    flags: ['--rolling'],
    steps: [
      get('/views'),
      post('/max-age/-5000', undefined, { expect: [ok, is.cookie()] }),
      get('/store/length', { expect: [num(0)] }),
      get('/views', { sendAll: true, expect: [num(1)] }),
    ],
  },
  {
    name: 'login',
    flags: [],
    steps: [
      post('/login', { user: 'ann' }, { expect: [is.body('"<id1>"'), is.cookie()] }),
      get('/data', { expect: [is.body('{"user":"ann"}')] }),
      get('/store/length', { expect: [num(1)] }),
      post('/login', { user: 'bob' }, { expect: [is.body('"<id2>"'), is.cookie(), is.changed()] }),
      get('/store/length', { expect: [num(1)] }),
      get('/get/user', { expect: [is.body('"bob"')] }),
    ],
  },
  {
    name: 'login-without-user',
    flags: [],
    steps: [post('/login', {}), get('/data'), post('/login', 5), get('/data'), get('/store/length')],
  },
  {
    name: 'login-logout',
    flags: [],
    steps: [
      post('/login', { user: { name: 'ann', roles: ['a'] } }),
      get('/views', { expect: [num(1)] }),
      post('/logout', undefined, { expect: [ok, is.cookie(), is.changed()] }),
      get('/data', { expect: [is.body('{}')] }),
      get('/store/length', { expect: [num(1)] }),
    ],
  },
  {
    name: 'logout-new-session',
    flags: [],
    steps: [post('/logout', undefined, { expect: [ok, is.cookie()] }), get('/data'), get('/store/length', { expect: [num(1)] })],
  },
  {
    name: 'throw',
    flags: [],
    steps: [
      get('/throw', { expect: [is.status(500), is.body('{"error":"boom"}'), is.noCookie()] }),
      get('/store/length', { expect: [num(0)] }),
    ],
  },
  {
    name: 'throw-save-uninitialized',
    flags: ['--save-uninitialized'],
    steps: [get('/throw', { expect: [is.status(500), is.body('{"error":"boom"}'), is.cookie()] }), get('/store/length', { expect: [num(1)] })],
  },
  {
    name: 'throw-with-session',
    flags: ['--rolling'],
    steps: [get('/views'), get('/throw', { expect: [is.status(500), is.cookie(), is.kept()] }), get('/views', { expect: [num(2)] })],
  },
  {
    name: 'store-length-clear',
    flags: [],
    steps: [
      get('/views', { client: 'a' }),
      get('/views', { client: 'b' }),
      get('/views', { client: 'c' }),
      get('/store/length', { expect: [num(3)] }),
      post('/store/clear', undefined, { expect: [ok] }),
      get('/store/length', { expect: [num(0)] }),
      get('/views', { client: 'b', expect: [num(1), is.changed()] }),
    ],
  },
  {
    name: 'slow',
    flags: [],
    steps: [get('/slow/100', { expect: [num(1)] }), get('/slow/20', { expect: [num(2)] }), get('/views', { expect: [num(3)] })],
  },
  {
    // an absolute-form request target routes by its path; express-session filters on the same
    // pathname (parseurl.original)
    name: 'absolute-form-target',
    flags: [],
    steps: [
      get('http://127.0.0.1/views', { expect: [num(1), is.cookie()] }),
      get('http://127.0.0.1/views?a=b', { expect: [num(2)] }),
      get('/views', { expect: [num(3)] }),
    ],
  },
  {
    name: 'absolute-form-target-cookie-path',
    flags: ['--cookie-path', '/views'],
    steps: [
      get('http://localhost/views', { expect: [num(1), is.cookie()] }),
      get('http://localhost/', { sendAll: true, expect: [ok, is.noCookie()] }),
    ],
  },
  {
    name: 'head-request',
    flags: [],
    steps: [
      { method: 'HEAD', path: '/views', expect: [is.body(''), is.cookie()] },
      get('/views', { expect: [num(2)] }),
    ],
  },
  {
    name: 'not-found-save-uninitialized',
    flags: ['--save-uninitialized'],
    steps: [
      get('/no/such/route', { expect: [is.status(404), is.cookie()] }),
      get('/store/length', { expect: [num(1)] }),
    ],
  },
  {
    name: 'route-case-and-query',
    flags: [],
    steps: [get('/VIEWS', { expect: [num(1)] }), get('/Views?x=/y', { expect: [num(2)] }), get('/views/', { expect: [num(3)] })],
  },
];

