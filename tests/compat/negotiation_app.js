#!/usr/bin/env node
// The reference app for content negotiation, compression, CORS and security headers: Express 5
// with accepts, compression, cors and helmet. negotiation_twin.cpp is the same app in cortado;
// negotiation_compare.mjs sends both the same requests and diffs the answers.
//
//   node negotiation_app.js --port 0 [--static DIR]
//
// Prints "listening on 127.0.0.1:PORT" once it listens, exits 0 on SIGTERM.
'use strict';

const path = require('node:path');
const express = require('express');
const compression = require('compression');
const cors = require('cors');
const helmet = require('helmet');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const port = Number(option('--port', '0'));
const staticDir = option('--static', path.join(__dirname, 'fixtures', 'static'));

const app = express();
app.disable('x-powered-by');

// The offers come in the query, comma-separated ("o=json,html"); without o, the no-argument form.
const offers = (req) => (req.query.o === undefined ? [] : String(req.query.o).split(','));

// --- negotiation --------------------------------------------------------------------------------
app.get('/accepts', (req, res) => res.json({ best: req.accepts(offers(req)) }));
app.get('/charsets', (req, res) => res.json({ best: req.acceptsCharsets(offers(req)) }));
app.get('/encodings', (req, res) => res.json({ best: req.acceptsEncodings(offers(req)) }));
app.get('/languages', (req, res) => res.json({ best: req.acceptsLanguages(offers(req)) }));
app.get('/format', (req, res) =>
  res.format({
    'text/plain': () => res.send('plain'),
    'text/html': () => res.send('<p>html</p>'),
    json: () => res.json({ format: 'json' }),
  }));
app.get('/format-default', (req, res) =>
  res.format({
    'application/xml': () => res.send('<xml/>'),
    default: () => res.status(200).send('fallback'),
  }));
app.get('/vary', (req, res) => {
  if (req.query.pre !== undefined) res.set('Vary', req.query.pre);
  res.vary(req.query.f);
  res.send('vary');
});

// --- compression --------------------------------------------------------------------------------
const big = { items: Array.from({ length: 200 }, (_, i) => ({ id: i, name: 'item ' + i, tags: ['a', 'b'] })) };
const text = 'cortado '.repeat(400);
function compressedRoutes(router) {
  router.get('/json', (req, res) => res.json(big));
  router.get('/text', (req, res) => res.type('txt').send(text));
  router.get('/small', (req, res) => res.send('small'));
  router.get('/png', (req, res) => res.type('png').send(Buffer.alloc(4000, 7)));
  router.get('/no-transform', (req, res) => res.set('Cache-Control', 'public, no-transform').send(text));
  router.get('/encoded', (req, res) => res.set('Content-Encoding', 'x-custom').type('txt').send(text));
  router.get('/strong-etag', (req, res) => res.set('ETag', '"v1"').type('txt').send(text));
  router.get('/status', (req, res) => res.status(201).type('txt').send(text));
  router.get('/empty', (req, res) => res.status(204).end());
  router.use('/static', express.static(staticDir));
  return router;
}
app.use('/z', compression(), compressedRoutes(express.Router()));
app.use('/z0', compression({ threshold: 0, level: 1 }), compressedRoutes(express.Router()));
app.use('/zf', compression({ filter: (req) => req.get('x-compress') === 'yes' }), compressedRoutes(express.Router()));

// --- cors ---------------------------------------------------------------------------------------
const corsSets = {
  c1: {},
  c2: { origin: 'http://a.example' },
  c3: { origin: ['http://a.example', /\.b\.example$/], credentials: true, exposedHeaders: ['X-One', 'X-Two'], maxAge: 600 },
  c4: { origin: true, allowedHeaders: ['X-A', 'X-B'], methods: ['GET', 'POST'], optionsSuccessStatus: 200 },
  c5: { origin: /example$/, preflightContinue: true, maxAge: 0 },
  c6: { origin: false },
  c7: { origin: (origin, cb) => cb(null, typeof origin === 'string' && origin.endsWith('.ok')), allowedHeaders: [] },
};
for (const [name, options] of Object.entries(corsSets)) {
  app.use('/' + name, cors(options));
  app.options('/' + name + '/x', (req, res) => res.send('continued'));
  app.all('/' + name + '/x', (req, res) => res.send(name));
}

// --- helmet -------------------------------------------------------------------------------------
const helmetSets = {
  h1: {},
  h2: {
    contentSecurityPolicy: {
      directives: { scriptSrc: ["'self'", 'cdn.example'], objectSrc: null, upgradeInsecureRequests: null, 'report-uri': '/csp' },
    },
    strictTransportSecurity: { maxAge: 100, preload: true, includeSubDomains: false },
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: ['origin', 'unsafe-url'] },
    crossOriginEmbedderPolicy: true,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    xDnsPrefetchControl: { allow: true },
  },
  h3: {
    contentSecurityPolicy: { useDefaults: false, reportOnly: true, directives: { defaultSrc: ["'none'"], imgSrc: [] } },
    strictTransportSecurity: false,
    xXssProtection: false,
    originAgentCluster: false,
    crossOriginOpenerPolicy: false,
    xPermittedCrossDomainPolicies: { permittedPolicies: 'by-content-type' },
  },
};
for (const [name, options] of Object.entries(helmetSets)) {
  app.use('/' + name, helmet(options));
  app.get('/' + name + '/x', (req, res) => res.send(name));
}
// A nonce per response, from res.locals (here from a request header, to send bad ones too).
app.use('/h4', (req, res, next) => {
  res.locals.nonce = req.get('x-nonce') ?? 'none';
  next();
}, helmet({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", (req, res) => `'nonce-${res.locals.nonce}'`, (req, res) => res.locals.nonce] } } }));
app.get('/h4/x', (req, res) => res.send('h4'));

// Errors: their status and message, as JSON.
app.use((err, req, res, next) => res.status(err.status || 500).json({ error: err.message }));

const server = app.listen(port, '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
