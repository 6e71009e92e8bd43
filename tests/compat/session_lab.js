#!/usr/bin/env node
// session-lab, the Node reference: docs/SESSION_LAB.md written with express@5 and
// express-session@1.19, so that session_compare.mjs can drive it side by side with cortado's
// build/examples/session-lab and diff the answers request by request.
//
//   node session_lab.js --port 0 [--secret S]... [--name N] [--resave] [--save-uninitialized]
//        [--rolling] [--max-age MS] [--no-http-only] [--secure true|false|auto]
//        [--same-site lax|strict|none] [--cookie-path P] [--domain D] [--partitioned]
//        [--priority low|medium|high] [--trust-proxy] [--proxy true|false]
//        [--unset destroy|keep]
//        [--store memory | redis://HOST:PORT[/DB][?prefix=P&ttl=S] | postgres://... | postgresql://... | cookie]
//        [--unsigned] [--no-overwrite]   (--store cookie only)
//        [--log FORMAT] [--tls-cert PATH --tls-key PATH]
//
// Prints "listening on 127.0.0.1:PORT" once it listens; exits 0 on SIGTERM/SIGINT after the
// requests in flight; a bad flag or an unreachable store is one line on stderr and exit code 2,
// before listening. The stores:
//   memory          express-session's MemoryStore
//   redis://...     connect-redis@10's RedisStore over a node-redis@5 client, connected before
//                   listening; the URL's query gives the store's options: prefix (default "sess:"),
//                   ttl (seconds, used when the cookie has no expires; default 86400), scan_count,
//                   disable_touch, disable_ttl -- the names cortado's redis:// URL takes
//   postgres://...  connect-pg-simple@10 over a pg@8 Pool on the URL, createTableIfMissing: true;
//                   the table is made (when missing) and the server reached before listening
//   cookie          no store: cookie-session@2.1 keeps the session in the cookie; --secret gives
//                   its keys, --name its name (default "session"), the cookie flags its options
//                   (--secure auto: cookie-session's own default, Secure when the request is HTTPS),
//                   --unsigned is signed: false, --no-overwrite is overwrite: false. The flags only a
//                   store has (--resave, --save-uninitialized, --rolling, --proxy, --unset) are
//                   refused. The routes that act on express-session's Session do what an app does
//                   with cookie-session (see cookieRoutes below); /store/* answer 501.
//
// GET /ws: the ws package with express-session run on the upgrade request (upgradeWs below).
//
// Deliberately not 'use strict': handlers run as a plain Express app's would (sloppy mode), so
// `req.session[key] = v` behaves as it does in most apps.

const fs = require('fs');
const express = require('express');
const session = require('express-session');
const cookieSession = require('cookie-session');
const cookie = require('cookie'); // the cookie@0.7 that express-session serialises with

function fail(message) {
  process.stderr.write('session-lab: ' + String(message).replace(/\s*\n\s*/g, ' ') + '\n');
  process.exit(2);
}

// --- flags ------------------------------------------------------------------------------------

function parseFlags(argv) {
  const lab = {
    port: undefined,
    secrets: [],
    name: 'connect.sid',
    resave: false,
    saveUninitialized: false,
    rolling: false,
    cookie: { path: '/' },
    trustProxy: false,
    proxy: undefined,
    unset: 'keep',
    store: 'memory',
    nameGiven: false,
    signed: true,
    overwrite: true,
    storeOnlyFlag: undefined,
    cookieOnlyFlag: undefined,
  };
  const integer = (flag, text) => {
    if (!/^-?[0-9]+$/.test(text)) fail(flag + " needs a number, got '" + text + "'");
    return Number(text);
  };
  const oneOf = (flag, text, allowed) => {
    if (!allowed.includes(text)) fail(flag + ": unexpected value '" + text + "'");
    return text;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(flag + ' needs a value');
      return argv[++i];
    };
    switch (flag) {
      case '--port': {
        const port = integer(flag, value());
        if (port < 0 || port > 65535) fail('--port out of range');
        lab.port = port;
        break;
      }
      case '--secret': lab.secrets.push(value()); break;
      case '--name': lab.name = value(); lab.nameGiven = true; break;
      case '--resave': lab.storeOnlyFlag ??= flag; lab.resave = true; break;
      case '--save-uninitialized': lab.storeOnlyFlag ??= flag; lab.saveUninitialized = true; break;
      case '--rolling': lab.storeOnlyFlag ??= flag; lab.rolling = true; break;
      case '--max-age': lab.cookie.maxAge = integer(flag, value()); break;
      case '--no-http-only': lab.cookie.httpOnly = false; break;
      case '--secure': {
        const v = oneOf(flag, value(), ['true', 'false', 'auto']);
        lab.cookie.secure = v === 'auto' ? 'auto' : v === 'true';
        break;
      }
      case '--same-site': lab.cookie.sameSite = oneOf(flag, value(), ['lax', 'strict', 'none']); break;
      case '--cookie-path': lab.cookie.path = value(); break;
      case '--domain': lab.cookie.domain = value(); break;
      case '--partitioned': lab.cookie.partitioned = true; break;
      case '--priority': lab.cookie.priority = oneOf(flag, value(), ['low', 'medium', 'high']); break;
      case '--trust-proxy': lab.trustProxy = true; break;
      case '--proxy': lab.storeOnlyFlag ??= flag; lab.proxy = oneOf(flag, value(), ['true', 'false']) === 'true'; break;
      case '--unset': lab.storeOnlyFlag ??= flag; lab.unset = oneOf(flag, value(), ['destroy', 'keep']); break;
      case '--store': lab.store = value(); break;
      case '--log': lab.log = value(); break;
      case '--tls-cert': lab.tlsCert = value(); break;
      case '--tls-key': lab.tlsKey = value(); break;
      case '--unsigned': lab.cookieOnlyFlag ??= flag; lab.signed = false; break;
      case '--no-overwrite': lab.cookieOnlyFlag ??= flag; lab.overwrite = false; break;
      default: fail('unknown flag ' + flag);
    }
  }
  if (lab.port === undefined) fail('--port is required');
  if (lab.secrets.length === 0) lab.secrets.push('lab-secret');
  if (!lab.tlsCert !== !lab.tlsKey) fail('--tls-cert and --tls-key go together');
  if (lab.store === 'cookie' && lab.storeOnlyFlag) fail(lab.storeOnlyFlag + ' does not apply to --store cookie');
  if (lab.store !== 'cookie' && lab.cookieOnlyFlag) fail(lab.cookieOnlyFlag + ' needs --store cookie');
  return lab;
}

const lab = parseFlags(process.argv.slice(2));

// --- the store --------------------------------------------------------------------------------

// redis://HOST:PORT[/DB][?prefix=P&ttl=S...]: the query holds the store's options, the rest is
// node-redis's own URL (which ignores a query). Returns { url, options } for RedisStore.
function redisStoreOptions(spec) {
  let url;
  try {
    url = new URL(spec);
  } catch (err) {
    fail('malformed redis URL: ' + err.message);
  }
  const options = {};
  const flag = (name, text) => {
    if (text === '' || text === '1' || text === 'true') return true;
    if (text === '0' || text === 'false') return false;
    fail('malformed redis URL: ' + name + " '" + text + "' is not 1, 0, true or false");
  };
  const count = (name, text) => {
    if (!/^[0-9]+$/.test(text)) fail('malformed redis URL: ' + name + " '" + text + "' is not a number");
    return Number(text);
  };
  for (const [name, text] of url.searchParams) {
    switch (name) {
      case 'prefix': options.prefix = text; break;
      case 'ttl': options.ttl = count(name, text); break;
      case 'scan_count': options.scanCount = count(name, text); break;
      case 'disable_touch': options.disableTouch = flag(name, text); break;
      case 'disable_ttl': options.disableTTL = flag(name, text); break;
      default:
        fail("malformed redis URL: unknown query parameter '" + name +
          "' (expected prefix, ttl, scan_count, disable_touch, disable_ttl)");
    }
  }
  url.search = '';
  return { url: url.toString(), options };
}

// The store, and a promise that settles once it can serve (rejects: unreachable).
function openStore(spec) {
  if (spec === 'cookie') return { store: null, ready: Promise.resolve(), close: async () => {} };
  if (spec === 'memory') return { store: new session.MemoryStore(), ready: Promise.resolve(), close: async () => {} };

  if (spec.startsWith('redis://')) {
    const { createClient } = require('redis');
    const { RedisStore } = require('connect-redis');
    const { url, options } = redisStoreOptions(spec);
    let connected = false;
    const client = createClient({
      url,
      // A command while Redis is away fails at once (the route answers 500) instead of waiting.
      disableOfflineQueue: true,
      socket: {
        connectTimeout: 5000,
        // Before listening an unreachable server is fatal; once up, reconnect as node-redis does.
        reconnectStrategy: (retries, cause) => (connected ? Math.min(retries * 50, 2000) : cause),
      },
    });
    client.on('error', (err) => {
      if (connected) process.stderr.write('session-lab: redis: ' + String(err.message).split('\n')[0] + '\n');
    });
    const ready = client.connect().then(() => {
      connected = true;
    });
    return {
      store: new RedisStore({ client, ...options }),
      ready: ready.catch((err) => {
        throw new Error('redis store: cannot reach ' + url.replace(/\/\/[^@/]*@/, '//') + ': ' + err.message);
      }),
      close: async () => client.destroy(),
    };
  }

  // redis-cluster://HOST:PORT[,HOST:PORT...][?query]: node-redis's createCluster on those seed
  // nodes, and the same RedisStore (connect-redis scans every master for all/length/clear).
  if (spec.startsWith('redis-cluster://')) {
    const { createCluster } = require('redis');
    const { RedisStore } = require('connect-redis');
    const [nodes, query = ''] = spec.slice('redis-cluster://'.length).split('?');
    const { options } = redisStoreOptions('redis://cluster/?' + query);
    const client = createCluster({
      rootNodes: nodes.split(',').map((node) => ({ url: 'redis://' + node })),
      defaults: { socket: { connectTimeout: 5000 } },
    });
    client.on('error', (err) => process.stderr.write('session-lab: redis cluster: ' + String(err.message).split('\n')[0] + '\n'));
    return {
      store: new RedisStore({ client, ...options }),
      ready: client.connect().catch((err) => {
        throw new Error('redis store: cannot reach the cluster at ' + nodes + ': ' + err.message);
      }),
      close: async () => client.destroy(),
    };
  }

  if (spec.startsWith('postgres://') || spec.startsWith('postgresql://')) {
    const { Pool } = require('pg');
    const PGStore = require('connect-pg-simple')(session);
    const pool = new Pool({ connectionString: spec, connectionTimeoutMillis: 5000 });
    // An idle connection that breaks (the server restarts) must not kill the process.
    pool.on('error', (err) => process.stderr.write('session-lab: postgres: ' + String(err.message).split('\n')[0] + '\n'));
    const store = new PGStore({ pool, createTableIfMissing: true });
    // A get on an id that cannot exist reaches the server and makes the table if it is missing.
    const ready = new Promise((resolve, reject) =>
      store.get('session-lab-probe', (err) => (err ? reject(err) : resolve())),
    );
    return {
      store,
      ready: ready.catch((err) => {
        throw new Error('postgres store: cannot reach the database: ' + (err.message || err.code || String(err)));
      }),
      close: async () => {
        await store.close();
        await pool.end();
      },
    };
  }

  fail("unsupported store '" + spec + "' (expected memory, redis://..., postgres://..., cookie)");
}
const { store, ready: storeReady, close: closeStore } = openStore(lab.store);

// express-session only finds out at the first Set-Cookie that an attribute cannot be written;
// a flag whose value could never make a cookie is a bad flag, refused before listening.
// cookie-session's cookies package checks differently (and swallows its errors at each request).
try {
  const attributes = {
    domain: lab.cookie.domain,
    path: lab.cookie.path,
    sameSite: lab.cookie.sameSite,
    priority: lab.cookie.priority,
  };
  if (lab.store === 'cookie') {
    const { Cookie } = require('cookies');
    const name = lab.nameGiven ? lab.name : 'session';
    new Cookie(name, 'probe', attributes); // eslint-disable-line no-new
    new Cookie(name + '.sig', 'probe', attributes); // eslint-disable-line no-new
  } else {
    cookie.serialize(lab.name, 'probe', attributes);
  }
} catch (err) {
  fail(err.message);
}

// --- the app ----------------------------------------------------------------------------------

const app = express();
if (lab.trustProxy) app.set('trust proxy', true);
// --log FORMAT: morgan to stdout, first in the stack (its `json` is the same object cortado's
// logger("json") writes, made from morgan's tokens).
if (lab.log) {
  const morgan = require('morgan');
  morgan.format('json', (tokens, req, res) => {
    const length = tokens.res(req, res, 'content-length');
    const rt = tokens['response-time'](req, res);
    return JSON.stringify({
      time: new Date().toISOString(),
      method: req.method,
      url: req.originalUrl,
      status: res.headersSent ? res.statusCode : null,
      length: length === undefined ? null : Number(length),
      response_time_ms: rt === undefined ? null : Number(rt),
      total_time_ms: Number(tokens['total-time'](req, res)),
      remote_addr: req.ip,
      remote_user: tokens['remote-user'](req, res) ?? null,
      http_version: req.httpVersion,
      referrer: req.headers.referer || req.headers.referrer || null,
      user_agent: req.headers['user-agent'] || null
    });
  });
  app.use(morgan(lab.log));
}
app.use(express.json({ strict: false }));

// Only the keys that were given: `new Cookie(options)` copies every key, and an explicit
// `maxAge: undefined` would, for one, drop originalMaxAge from the stored JSON.
const sessionOptions = {
  secret: lab.secrets.length === 1 ? lab.secrets[0] : lab.secrets,
  name: lab.name,
  resave: lab.resave,
  saveUninitialized: lab.saveUninitialized,
  rolling: lab.rolling,
  unset: lab.unset,
  store,
  cookie: lab.cookie,
};
if (lab.proxy !== undefined) sessionOptions.proxy = lab.proxy;

// --store cookie: cookie-session's options are the cookie's, at the top level; only those given.
function cookieSessionOptions() {
  const options = { keys: lab.secrets, signed: lab.signed, overwrite: lab.overwrite };
  if (lab.nameGiven) options.name = lab.name;
  for (const key of ['maxAge', 'httpOnly', 'sameSite', 'path', 'domain', 'partitioned', 'priority']) {
    if (lab.cookie[key] !== undefined) options[key] = lab.cookie[key];
  }
  if (lab.cookie.secure !== undefined && lab.cookie.secure !== 'auto') options.secure = lab.cookie.secure;
  return options;
}
const cookieStore = lab.store === 'cookie';
const sessionMiddleware = cookieStore ? cookieSession(cookieSessionOptions()) : session(sessionOptions);
app.use(sessionMiddleware);

const call = (fn) => new Promise((resolve, reject) => fn((err, value) => (err ? reject(err) : resolve(value))));

// The session's data without `cookie`, in the session object's own key order.
function sessionData(sess) {
  const out = {};
  for (const key of Object.keys(sess)) {
    if (key !== 'cookie') out[key] = sess[key];
  }
  return out;
}

// --store cookie: what an app does with cookie-session where express-session's Session has a
// method. regenerate: the data goes (there is no id to change); destroy: req.session = null;
// reload: back to what the request's cookie held; save and touch: nothing (the cookie is written
// with the response's headers). cortado's Session methods do the same on a cookie session.
function clearData(sess) {
  for (const key of Object.keys(sess)) delete sess[key];
}
function reloadFromCookie(sess) {
  const val = sess._ctx._val; // the cookie's value as read; undefined for a new session
  clearData(sess);
  if (val === undefined) return;
  const obj = JSON.parse(Buffer.from(val, 'base64').toString('utf8'));
  if (obj) for (const key in obj) if (!(key in sess)) sess[key] = obj[key];
}

app.get('/', (req, res) => res.json('ok'));

app.get('/views', (req, res) => {
  req.session.views = (req.session.views || 0) + 1;
  res.json(req.session.views);
});

app.get('/get/:key', (req, res) => {
  const v = req.session[req.params.key];
  res.json(v === undefined || typeof v === 'function' ? null : v);
});

app.post('/set/:key', (req, res) => {
  req.session[req.params.key] = req.body;
  res.json('ok');
});

app.post('/unset/:key', (req, res) => {
  delete req.session[req.params.key];
  res.json('ok');
});

app.get('/data', (req, res) => res.json(sessionData(req.session)));

app.get('/id', (req, res) => res.json(req.sessionID));

app.get('/cookie', (req, res) => res.json(req.session.cookie));

app.post('/regenerate', async (req, res) => {
  if (cookieStore) clearData(req.session);
  else await call((cb) => req.session.regenerate(cb));
  res.json(req.sessionID);
});

app.post('/destroy', async (req, res) => {
  if (cookieStore) req.session = null;
  else await call((cb) => req.session.destroy(cb));
  res.json('ok');
});

app.post('/null-session', (req, res) => {
  req.session = null;
  res.json('ok');
});

app.post('/reload', async (req, res) => {
  if (cookieStore) reloadFromCookie(req.session);
  else await call((cb) => req.session.reload(cb));
  res.json(sessionData(req.session));
});

// With cookie-session, save and touch only read req.session (as req.session.save() would).
app.post('/save', async (req, res) => {
  if (cookieStore) void req.session;
  else await call((cb) => req.session.save(cb));
  res.json('ok');
});

app.post('/touch', (req, res) => {
  if (cookieStore) void req.session;
  else req.session.touch();
  res.json('ok');
});

app.post('/max-age/:ms', (req, res) => {
  if (cookieStore) {
    // cortado keeps a request's cookie options on its session (req.session().cookie()), so the
    // contract's route reads the session first on both sides.
    void req.session;
    req.sessionOptions.maxAge = Number(req.params.ms);
  } else {
    req.session.cookie.maxAge = Number(req.params.ms);
  }
  res.json('ok');
});

app.post('/login', async (req, res) => {
  const user = req.body != null ? req.body.user : undefined;
  if (cookieStore) clearData(req.session);
  else await call((cb) => req.session.regenerate(cb));
  req.session.user = user;
  if (!cookieStore) await call((cb) => req.session.save(cb));
  res.json(req.sessionID);
});

app.post('/logout', async (req, res) => {
  req.session.user = null;
  if (cookieStore) {
    clearData(req.session);
  } else {
    await call((cb) => req.session.save(cb));
    await call((cb) => req.session.regenerate(cb));
  }
  res.json('ok');
});

app.get('/throw', () => {
  throw new Error('boom');
});

app.get('/slow/:ms', async (req, res) => {
  await new Promise((resolve) => setTimeout(resolve, Number(req.params.ms)));
  req.session.views = (req.session.views || 0) + 1;
  res.json(req.session.views);
});

if (cookieStore) {
  const noStore = () => {
    const err = new Error('the cookie store keeps no sessions on the server');
    err.status = 501;
    throw err;
  };
  app.get('/store/length', noStore);
  app.post('/store/clear', noStore);
} else {
  app.get('/store/length', async (req, res) => {
    res.json(await call((cb) => store.length(cb)));
  });

  app.post('/store/clear', async (req, res) => {
    await call((cb) => store.clear(cb));
    res.json('ok');
  });
}

// Every failure answers JSON with a one-line reason; the server keeps running.
app.use((err, req, res, next) => {
  if (res.headersSent) return next(err);
  const status = Number.isInteger(err.status) && err.status >= 400 && err.status < 600 ? err.status : 500;
  res.status(status).json({ error: String(err.message).split('\n')[0] });
});

// --- GET /ws ----------------------------------------------------------------------------------
// The ws package with express-session run by hand on the upgrade request, as the ws and
// express-session READMEs suggest: ws has no middleware chain of its own. Deliberately the usual
// setup and nothing more, so that the side-by-side test shows what it does: no Origin check (ws
// accepts an upgrade from any page), and the socket holds the session object of the upgrade, so
// nothing closes it when the session is destroyed or regenerated by another request.
const { WebSocketServer } = require('ws');
const wss = new WebSocketServer({ noServer: true });

function upgradeWs(req, socket, head) {
  if (new URL(req.url, 'http://lab').pathname !== '/ws') {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    return;
  }
  // express-session only needs a response to hook its end(); nothing is written with it.
  const res = new (require('http').ServerResponse)(req);
  sessionMiddleware(req, res, (err) => {
    if (err) {
      socket.end('HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => labSocket(ws, req));
  });
}

// One message at a time, in order, as cortado's handler reads them.
function labSocket(ws, req) {
  ws.send(JSON.stringify(sessionData(req.session)));
  let queue = Promise.resolve();
  ws.on('message', (data) => {
    queue = queue.then(() => answer(req, String(data))).then(
      (text) => ws.send(text),
      (err) => ws.send(JSON.stringify({ error: String(err.message).split('\n')[0] })),
    );
  });
}

async function answer(req, text) {
  let message;
  try {
    message = JSON.parse(text);
  } catch {
    return JSON.stringify({ error: 'not JSON' });
  }
  if (message && typeof message.set === 'string') {
    req.session[message.set] = message.v;
    await call((cb) => req.session.save(cb));
    return JSON.stringify('ok');
  }
  if (message && typeof message.get === 'string') {
    // Reloaded first, so that what HTTP requests saved since the upgrade is seen (as cortado does).
    await call((cb) => req.session.reload(cb));
    const v = req.session[message.get];
    return v === undefined || typeof v === 'function' ? 'null' : JSON.stringify(v);
  }
  return JSON.stringify({ error: 'expected {"set": K, "v": V} or {"get": K}' });
}

// --- listen, stop -----------------------------------------------------------------------------

let server;

function stop() {
  if (!server) process.exit(0); // still connecting to the store: nothing in flight
  // Finish the requests in flight, drop idle keep-alive connections, close the store, exit 0.
  server.close(() => {
    const closed = closeStore().catch(() => {});
    const late = new Promise((resolve) => setTimeout(resolve, 2000).unref());
    Promise.race([closed, late]).then(() => process.exit(0));
  });
  server.closeIdleConnections();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

storeReady.then(
  () => {
    // --tls-cert/--tls-key: https.createServer({cert, key}, app), the listening line unchanged.
    server = lab.tlsCert
      ? require('https').createServer({ cert: fs.readFileSync(lab.tlsCert), key: fs.readFileSync(lab.tlsKey) }, app)
      : require('http').createServer(app);
    if (!cookieStore) server.on('upgrade', upgradeWs);
    server.listen(lab.port, '127.0.0.1', () => {
      process.stdout.write('listening on 127.0.0.1:' + server.address().port + '\n');
    });
    server.on('error', (err) => fail(err.message));
  },
  (err) => fail(err.message),
);
