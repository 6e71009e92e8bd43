#!/usr/bin/env node
// The reference for views and the rest of Express's routing, req and res: Express 5 with
// mustache-express. views_twin.cpp is the same app in cortado; views_cases.mjs lists the requests
// (compare.mjs --app views_app.js --cases views_cases.mjs, run by views_run.sh).
//
//   node views_app.js --port 0 [--static DIR]
//
// Prints "listening on 127.0.0.1:PORT" once it listens, exits 0 on SIGTERM.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const express = require('express');
const mustacheExpress = require('mustache-express');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const port = Number(option('--port', '0'));
const staticDir = path.resolve(option('--static', path.join(__dirname, 'fixtures', 'static')));
const viewsDir = path.resolve(option('--views', path.join(__dirname, 'fixtures', 'views')));

const app = express();
app.disable('x-powered-by');
app.set('trust proxy', true);
app.set('subdomain offset', 1);
app.set('jsonp callback name', 'cb');

// --- views --------------------------------------------------------------------------------------
app.engine('mustache', mustacheExpress());
app.set('view engine', 'mustache');
app.set('views', viewsDir);
app.set('layout', 'layout');
app.engine('txt', (file, options, callback) =>
  fs.readFile(file, 'utf8', (err, text) => (err ? callback(err) : callback(null, text.replace('{name}', options.name)))));
app.locals.site = 'cortado';
app.locals.who = 'app';
app.locals.title = 'from app.locals';

const pageData = {
  title: 'Shop & <Co>',
  who: 'render',
  items: [
    { name: 'Cup "large"', price: 3.5, sale: true },
    { name: "Tom's mug", price: 12 },
    { name: 'a/b=c`d', price: 0 },
  ],
  html: '<b>bold</b> & "q"',
  n: { int: 42, float: 0.1, big: 1e21, small: 1e-7, neg: -5 },
  flag: false,
  nothing: null,
  list: [1, 'two', null, [3, 4]],
  links: [{ href: '/a?x=1&y=2', label: 'A' }, { href: '/b', label: 'B' }],
};

app.use('/views', (req, res, next) => {
  res.locals.user = { name: 'Ana <admin>', tags: ['x', 'y&z'] };
  res.locals.who = 'res.locals';
  next();
});
app.get('/views/page', (req, res) => res.render('page', pageData));
app.get('/views/page-with-extension', (req, res) => res.render('page.mustache', { ...pageData, links: [] }));
app.get('/views/locals-order', (req, res) => res.render('page', { items: [] }));
app.get('/views/index-in-folder', (req, res) => res.render('blog', { title: 'Blog' }));
app.get('/views/escapes', (req, res) =>
  res.render('escapes', { text: `&<>"'/\`= é 😀 \u2028 \\ {{x}}` }));
app.get('/views/missing', (req, res) => res.render('no_such_view'));
app.get('/views/broken', (req, res) => res.render('broken'));
app.get('/views/missing-partial', (req, res) => res.render('missing_partial'));
app.get('/views/callback', (req, res) =>
  res.render('blog/index', { title: 'cb' }, (err, html) => res.type('text').send(err ? 'error' : '[' + html + ']')));
app.get('/views/app-render', (req, res) =>
  app.render('blog/index', { title: 'app.render' }, (err, html) => res.json({ html: err ? null : html })));
// The demo's own views (examples/demo/views) through mustache-express itself, with the data of
// fixtures/demo_views.json: a team can share these templates between Node and cortado.
const demoViews = path.resolve(option('--demo-views', path.join(__dirname, '..', '..', 'examples', 'demo', 'views')));
const demoData = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'demo_views.json'), 'utf8'));
const renderDemo = mustacheExpress();
app.get('/demo-view/:case', (req, res, next) => {
  const data = demoData.views[req.params.case];
  if (!data) return next();
  const settings = { views: demoViews, 'view engine': 'mustache', layout: 'layout' };
  const options = { ...demoData.common, ...data, settings };
  renderDemo(path.join(demoViews, (data.view ?? req.params.case) + '.mustache'), options,
    (err, html) => (err ? next(err) : res.type('html').send(html)));
});
app.get('/views/other-engine', (req, res) => res.render('note.txt', { name: 'Ada' }));

// --- routing: app.route, app.param, Router options ----------------------------------------------
app.param('id', (req, res, next, id) => {
  res.locals.paramCalls = (res.locals.paramCalls ?? 0) + 1;
  if (id === 'bad') return next(Object.assign(new Error('bad id ' + id), { status: 400 }));
  if (id === 'stop') return res.status(403).send('stopped by param');
  if (id === 'throw') throw Object.assign(new Error('thrown in param'), { status: 422 });
  req.userName = 'user-' + id;
  next();
});
app.param('other', (req, res, next, other) => {
  res.locals.otherCalls = (res.locals.otherCalls ?? 0) + 1;
  next();
});
app.get('/users/:id', (req, res, next) => next());
app.get('/users/:id', (req, res) =>
  res.json({ user: req.userName, calls: res.locals.paramCalls, params: req.params }));
app.get('/users/:id/with/:other', (req, res) =>
  res.json({ calls: res.locals.paramCalls, otherCalls: res.locals.otherCalls ?? 0, params: req.params }));
app.get('/no-param/:name', (req, res) => res.json({ calls: res.locals.paramCalls ?? 0 }));

app.route('/book')
  .get((req, res) => res.send('get a book'))
  .post((req, res) => res.send('add a book'))
  .put((req, res) => res.send('update the book'));
app.route('/anything/:id').all((req, res) => res.json({ method: req.method, calls: res.locals.paramCalls }));

const merged = express.Router({ mergeParams: true });
merged.get('/child/:cid', (req, res) => res.json(req.params));
merged.get('/same/:pid', (req, res) => res.json(req.params));
app.use('/merge/:pid', merged);
const separate = express.Router();
separate.get('/child/:cid', (req, res) => res.json(req.params));
app.use('/separate/:pid', separate);
const caseSensitive = express.Router({ caseSensitive: true });
caseSensitive.get('/Case', (req, res) => res.send('exact case'));
app.use('/cs', caseSensitive);
const caseless = express.Router();
caseless.get('/Case', (req, res) => res.send('any case'));
app.use('/ci', caseless);
const strict = express.Router({ strict: true });
strict.get('/dir/', (req, res) => res.send('with slash'));
strict.get('/file', (req, res) => res.send('without slash'));
app.use('/strict', strict);
const lenient = express.Router();
lenient.get('/dir/', (req, res) => res.send('lenient dir'));
app.use('/lenient', lenient);
const withParam = express.Router();
withParam.param('item', (req, res, next, item) => {
  res.locals.itemCalls = (res.locals.itemCalls ?? 0) + 1;
  next();
});
withParam.get('/:item', (req, res, next) => next());
withParam.get('/:item', (req, res) => res.json({ itemCalls: res.locals.itemCalls, appCalls: res.locals.paramCalls ?? 0 }));
app.use('/sub', withParam);

// --- req extras ---------------------------------------------------------------------------------
app.get('/req', (req, res) => res.json({ xhr: req.xhr, ips: req.ips, ip: req.ip, subdomains: req.subdomains }));
app.get('/fresh', (req, res) => {
  res.set('ETag', 'W/"abc"');
  res.set('X-Fresh', String(req.fresh));
  res.set('X-Stale', String(req.stale));
  res.send('fresh?');
});
app.post('/fresh', (req, res) => res.set('ETag', 'W/"abc"').set('X-Fresh', String(req.fresh)).send('posted'));
app.get('/range', (req, res) => {
  const r = req.range(Number(req.query.size), { combine: req.query.combine === '1' });
  if (r === undefined) return res.json('none');
  if (typeof r === 'number') return res.json(r);
  res.json({ type: r.type, ranges: [...r] });
});

// --- res extras ---------------------------------------------------------------------------------
app.get('/attachment', (req, res) => {
  if (req.query.name === undefined) res.attachment();
  else res.attachment(req.query.name);
  res.send('attached');
});
app.get('/download', (req, res) => {
  const file = path.join(staticDir, req.query.file ?? 'hello.txt');
  if (req.query.name === undefined) res.download(file);
  else res.download(file, req.query.name);
});
app.get('/location', (req, res) => res.location(req.query.to).send('located'));
app.get('/links', (req, res) => {
  res.links({ next: '/items?page=2', last: '/items?page=9' });
  res.links({ alternate: ['/a.json', '/a.xml'] });
  res.send('linked');
});
app.get('/jsonp', (req, res) => res.jsonp({ a: 1, text: 'line\u2028sep\u2029end </script>' }));
app.get('/jsonp-typed', (req, res) => res.type('text').jsonp([1, 2]));

// --- errors -------------------------------------------------------------------------------------
// The message itself is compared where both sides write it (views, params); elsewhere the status.
app.use((err, req, res, next) => {
  if (!req.path.startsWith('/views/') && !req.path.startsWith('/users/')) return res.sendStatus(err.status || 500);
  const message = err instanceof Error ? err.message : String(err);
  res.status(err.status || 500).json({ status: err.status ?? 0, message });
});

const server = app.listen(port, '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
