#!/usr/bin/env node
// The reference app: Express 5 as Node runs it. express_twin.cpp is the same app written with
// cortado; compare.mjs sends both the same requests and diffs the answers.
//
//   node express_app.js --port 0 [--static DIR]
//
// Prints "listening on 127.0.0.1:PORT" once it listens, exits 0 on SIGTERM. Run it with
// NODE_ENV=production so that the default error pages show only the status text.
'use strict';

const path = require('node:path');
const express = require('express');
const cookieParser = require('cookie-parser');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const port = Number(option('--port', '0'));
const staticDir = option('--static', path.join(__dirname, 'fixtures', 'static'));

const app = express();
app.disable('x-powered-by'); // cortado never sends it; nothing to compare

// Every request records the middleware it walked through, in order.
app.use((req, res, next) => {
  res.locals.trail = ['app'];
  next();
});
app.use(cookieParser());
app.use(express.json());
app.use(express.urlencoded());
app.use(express.text());

// --- plain answers ------------------------------------------------------------------------------
app.get('/', (req, res) => res.send('hello'));
app.get('/json', (req, res) => res.json({ a: 1, b: [true, null, 'x'], c: 1.5, d: 'é"\n' }));
app.get('/json-null', (req, res) => res.json(null));
app.get('/json-numbers', (req, res) =>
  res.json({
    big: 1e21,
    small: 1e-7,
    neg0: -0,
    sum: 0.1 + 0.2,
    int: 2 ** 53,
    max: Number.MAX_VALUE,
    min: 5e-324,
    text: '\u0001\u001f\u2028</script>\u00e9\ud83d\ude00',
  }));
app.get('/bytes', (req, res) => res.send(Buffer.from([0, 1, 2, 255])));
app.get('/req-header/:name', (req, res) => res.send(String(req.get(req.params.name) ?? '')));
app.get('/ip', (req, res) => res.json({ ip: req.ip, protocol: req.protocol, secure: req.secure, hostname: req.hostname }));
app.get('/status', (req, res) => res.status(201).send('created'));
app.get('/empty', (req, res) => res.end());
app.get('/send-status/:code', (req, res) => res.sendStatus(Number(req.params.code)));
app.get('/type', (req, res) => res.type(req.query.t).send('typed'));
app.get('/headers', (req, res) => {
  res.set('X-One', '1');
  res.set('X-One', 'one');
  res.append('X-Multi', 'a');
  res.append('X-Multi', 'b');
  res.set('Content-Type', 'text/plain');
  res.send('with headers');
});
app.get('/set-type', (req, res) => {
  res.set('Content-Type', 'application/custom');
  res.send('custom');
});
app.post('/echo-method', (req, res) => res.send(req.method));
app.put('/echo-method', (req, res) => res.send(req.method));
app.delete('/echo-method', (req, res) => res.send(req.method));
app.patch('/echo-method', (req, res) => res.send(req.method));
app.all('/any', (req, res) => res.send('any ' + req.method));
app.options('/custom-options', (req, res) => res.set('Allow', 'GET, X-CUSTOM').send('custom'));
app.get('/custom-options', (req, res) => res.send('get'));

// --- route parameters ---------------------------------------------------------------------------
app.get('/users/:id', (req, res) => res.json(req.params));
app.get('/files/*splat', (req, res) => res.send(req.params.splat.join('/')));
app.get('/opt{/:x}', (req, res) => res.json(req.params));
app.get('/range/:from-:to', (req, res) => res.json(req.params));

// --- query --------------------------------------------------------------------------------------
app.get('/query', (req, res) => res.json(req.query));

// --- a mounted router ---------------------------------------------------------------------------
function where(req) {
  return { baseUrl: req.baseUrl, path: req.path, originalUrl: req.originalUrl, url: req.url };
}
const api = express.Router();
api.use((req, res, next) => {
  res.locals.trail.push('api');
  next();
});
api.get('/', (req, res) => res.json(where(req)));
api.get('/info', (req, res) => res.json({ ...where(req), trail: res.locals.trail }));
api.get('/items/:id', (req, res) => res.json({ ...where(req), params: req.params }));
api.post('/items', (req, res) => res.status(201).json({ created: req.body ?? null }));
const v1 = express.Router();
v1.get('/deep', (req, res) => res.json(where(req)));
api.use('/v1', v1);
app.use('/api', api);

// --- middleware order ---------------------------------------------------------------------------
app.use('/chain', (req, res, next) => {
  res.locals.trail.push('c1');
  next();
}, (req, res, next) => {
  res.locals.trail.push('c2');
  next();
});
app.get('/chain', (req, res, next) => {
  res.locals.trail.push('r1');
  next();
}, (req, res) => {
  res.locals.trail.push('handler');
  res.json(res.locals.trail);
});
// A middleware that answers stops the chain.
app.use('/short', (req, res) => res.send('short-circuit'));
app.get('/short', (req, res) => res.send('never'));

// --- errors -------------------------------------------------------------------------------------
function httpError(status, message) {
  const e = new Error(message);
  e.status = status;
  return e;
}
app.get('/err/next', (req, res, next) => next(new Error('passed to next')));
app.get('/err/throw', () => {
  throw new Error('thrown');
});
app.get('/err/async', async () => {
  await Promise.resolve();
  throw new Error('async thrown');
});
app.get('/err/status', (req, res, next) => next(httpError(418, 'teapot error')));
app.get('/err/pass', (req, res, next) => next(new Error('pass')));
app.use('/err', (err, req, res, next) => {
  if (err.message === 'pass') return next(err); // on to the default handler: 500 page
  res.status(err.status || 500).json({ handled: err.message, trail: res.locals.trail });
});
// A JSON API's error handler gets a body over the limit: Express from express.json() (limit 100kb,
// refused from Content-Length before the body is read), cortado from the HTTP layer (body_limit).
app.post('/limit/json', (req, res) => res.json(req.body));
app.use('/limit', (err, req, res, next) => res.status(err.status || 500).json({ error: err.message, status: err.status }));
// Errors that reach the default handler (production: status text only).
app.get('/boom', () => {
  throw new Error('boom');
});
app.get('/forbidden', (req, res, next) => next(httpError(403, 'nope')));
app.get('/unavailable', (req, res) => {
  res.status(503);
  throw new Error('status set before throwing');
});
app.get('/error-keeps-headers', (req, res) => {
  res.set('X-Before', 'kept');
  throw new Error('after a header');
});
// An error handler that recovers with next() resumes normal handling.
app.get('/recover', (req, res, next) => next(new Error('recover me')));
app.use('/recover', (err, req, res, next) => {
  res.locals.trail.push('recovered');
  next();
});
app.use('/recover', (req, res) => res.json(res.locals.trail));

// An error handler that throws hands the new error on.
app.get('/double-error', () => {
  throw new Error('first');
});
// eslint-disable-next-line no-unused-vars -- Express needs four parameters to see an error handler
app.use('/double-error', (err, req, res, next) => {
  throw new Error('second after ' + err.message);
});

// --- redirects ----------------------------------------------------------------------------------
app.get('/redirect', (req, res) => res.redirect('/target'));
app.get('/redirect-301', (req, res) => res.redirect(301, '/moved'));
app.get('/redirect-back', (req, res) => res.redirect('back'));
app.get('/redirect-encode', (req, res) => res.redirect('/a b/ü?x=<y>&z=%41'));
app.get('/redirect-absolute', (req, res) => res.redirect('http://example.com/x?y=1'));

// --- cookies ------------------------------------------------------------------------------------
app.get('/cookie/set', (req, res) => {
  res.cookie('plain', 'value');
  res.cookie('spaced', 'a b;c');
  res.cookie('full', 'v', {
    maxAge: 60000,
    httpOnly: true,
    sameSite: 'lax',
    path: '/p',
    domain: 'example.com',
    secure: true,
    priority: 'high',
    partitioned: true,
  });
  res.cookie('strict', '1', { sameSite: 'strict', priority: 'low' });
  res.cookie('none', '1', { sameSite: 'none', secure: true, priority: 'Medium' });
  res.cookie('samesite-true', '1', { sameSite: true });
  res.cookie('dated', '1', { expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)) });
  res.cookie('frac', '1', { maxAge: 1500 });
  res.cookie('negative', '1', { maxAge: -1500 });
  res.send('cookies set');
});
app.get('/cookie/clear', (req, res) => {
  res.clearCookie('plain');
  res.clearCookie('full', { path: '/p', domain: 'example.com', maxAge: 1000 });
  res.send('cookies cleared');
});
app.get('/cookie/append', (req, res) => {
  res.append('Set-Cookie', 'raw=1; Path=/');
  res.cookie('after', '2');
  res.send('appended');
});
app.get('/cookies', (req, res) => res.json(req.cookies));

// --- bodies (json, urlencoded and text parsers are global, above) -------------------------------
// Express 5 leaves req.body undefined when no parser ran; cortado's is null: answer null for both.
app.post('/body', (req, res) => res.json({ body: req.body ?? null }));

// --- static files -------------------------------------------------------------------------------
app.use('/static', express.static(staticDir));

const server = app.listen(port, '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
