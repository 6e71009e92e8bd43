// Step builders and expectations shared by the session scenario files (session_scenarios*.mjs).

export const get = (path, o = {}) => ({ method: 'GET', path, ...o });
export const post = (path, body, o = {}) => ({ method: 'POST', path, body, ...o });
export const postRaw = (path, raw, o = {}) => ({ method: 'POST', path, raw, ...o });

export const is = {
  status: (s) => (r) => (r.status === s ? null : `status ${s}, got ${r.status}`),
  body: (t) => (r) => (r.body.text === t ? null : `body ${t}, got ${r.body.text}`),
  cookie: () => (r) => (r.setCookies.length === 1 ? null : `one Set-Cookie, got ${r.setCookies.length}`),
  noCookie: () => (r) => (r.setCookies.length === 0 ? null : `no Set-Cookie, got ${r.setCookies.map((c) => c.text).join(' | ')}`),
  changed: () => (r) => (r.changed ? null : 'the session id to change'),
  kept: () => (r) => (!r.changed ? null : 'the same session id'),
  attrs: (names) => (r) => {
    const got = r.setCookies[0]?.text.split('; ').slice(1).map((a) => a.split('=')[0]);
    return JSON.stringify(got) === JSON.stringify(names) ? null : `attributes ${names.join(', ')}, got ${got}`;
  },
  cookieText: (t) => (r) => (r.setCookies[0]?.text === t ? null : `Set-Cookie ${t}, got ${r.setCookies[0]?.text}`),
};
export const ok = is.body('"ok"');
export const num = (n) => is.body(String(n));

// A forged Cookie header: `value(c)` gives the session cookie's raw value from this side's state.
export const forge = (value, o = {}) => ({ cookie: (c) => `${c.name}=${value(c)}`, ...o });
export const enc = encodeURIComponent;

export const DEFAULT_COOKIE = '{"originalMaxAge":null,"expires":null,"httpOnly":true,"path":"/"}';
export const HTTPS = { 'X-Forwarded-Proto': 'https' };

