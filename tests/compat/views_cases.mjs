// The requests compare.mjs sends to views_app.js (Express 5, mustache-express) and views_twin:
// views, app.route / app.param / Router options, and req/res extras. Same shape as compare.mjs's
// own cases: name, method, path, headers, headers_compared.
const CD = ['content-disposition'];

export default [
  // views (mustache-express with a layout, partials, app.locals < res.locals < render locals)
  { name: 'render a page with layout, partials and locals', path: '/views/page' },
  { name: 'render a view named with its extension', path: '/views/page-with-extension' },
  { name: 'render: app.locals, res.locals and render locals in order', path: '/views/locals-order' },
  { name: 'render a folder\'s index view', path: '/views/index-in-folder' },
  { name: 'render escapes as mustache.js', path: '/views/escapes' },
  { name: 'render a missing view -> Express\'s message', path: '/views/missing' },
  { name: 'render a broken template -> mustache-express\'s message', path: '/views/broken' },
  { name: 'render with a missing partial -> mustache-express\'s message', path: '/views/missing-partial' },
  { name: 'res.render with a callback', path: '/views/callback' },
  { name: 'app.render', path: '/views/app-render' },
  { name: 'render with an engine of the app (app.engine)', path: '/views/other-engine' },
  { name: 'HEAD of a rendered page', method: 'HEAD', path: '/views/page' },

  // the demo's views (examples/demo/views) with fixtures/demo_views.json: Node and cortado, same bytes
  ...['home', 'cart', 'cart-empty', 'preferences', 'account', 'account-new', 'error', 'error-csrf', 'sessions',
    'inspector', 'inspector-new'].map((view) => ({ name: `demo view ${view}`, path: `/demo-view/${view}` })),

  // app.param
  { name: 'param: called once for two routes with one value', path: '/users/7' },
  { name: 'param: an escaped value', path: '/users/a%20b' },
  { name: 'param: next(err) -> error handler', path: '/users/bad' },
  { name: 'param: throw -> error handler', path: '/users/throw' },
  { name: 'param: answers itself', path: '/users/stop' },
  { name: 'param: two params, each called', path: '/users/3/with/x' },
  { name: 'param: a route without it', path: '/no-param/n' },
  { name: 'param: router.param in a mounted router only', path: '/sub/item1' },
  { name: 'param: on an app.route().all()', method: 'DELETE', path: '/anything/9' },

  // app.route
  { name: 'route: GET', path: '/book' },
  { name: 'route: POST', method: 'POST', path: '/book' },
  { name: 'route: PUT', method: 'PUT', path: '/book' },
  { name: 'route: DELETE -> 404', method: 'DELETE', path: '/book' },
  { name: 'route: OPTIONS lists its methods', method: 'OPTIONS', path: '/book', headers_compared: ['allow'] },

  // Router options
  { name: 'mergeParams: parent and own params', path: '/merge/p1/child/c1' },
  { name: 'mergeParams: own param wins', path: '/merge/p1/same/p2' },
  { name: 'no mergeParams: own params only', path: '/separate/p1/child/c1' },
  { name: 'caseSensitive: exact case', path: '/cs/Case' },
  { name: 'caseSensitive: other case -> 404', path: '/cs/case' },
  { name: 'not caseSensitive: other case', path: '/ci/CASE' },
  { name: 'strict: with slash', path: '/strict/dir/' },
  { name: 'strict: missing slash -> 404', path: '/strict/dir' },
  { name: 'strict: extra slash -> 404', path: '/strict/file/' },
  { name: 'not strict: missing slash', path: '/lenient/dir' },

  // req extras
  { name: 'req: plain', path: '/req' },
  { name: 'req: xhr, ips, subdomains (offset 1)', path: '/req', headers: { 'X-Requested-With': 'XMLHttpRequest', 'X-Forwarded-For': ' 10.0.0.1 , ,10.0.0.2,10.0.0.3 ', Host: 'a.b.example.com' } },
  { name: 'req: xhr in lower case', path: '/req', headers: { 'X-Requested-With': 'xmlhttprequest' } },
  { name: 'req: subdomains of an IP address', path: '/req', headers: { Host: '10.1.2.3:8080' } },
  { name: 'req: subdomains of localhost', path: '/req', headers: { Host: 'x.y.localhost' } },
  { name: 'req: fresh (If-None-Match matches) -> 304', path: '/fresh', headers: { 'If-None-Match': 'W/"abc"' }, headers_compared: ['x-fresh', 'x-stale'] },
  { name: 'req: stale (If-None-Match differs)', path: '/fresh', headers: { 'If-None-Match': '"other"' }, headers_compared: ['x-fresh', 'x-stale'] },
  { name: 'req: fresh is false for POST', method: 'POST', path: '/fresh', headers: { 'If-None-Match': 'W/"abc"' }, headers_compared: ['x-fresh'] },
  { name: 'range: none', path: '/range?size=1000' },
  { name: 'range: one', path: '/range?size=1000', headers: { Range: 'bytes=0-499' } },
  { name: 'range: several, suffix and open', path: '/range?size=1000', headers: { Range: 'bytes=0-9, 500-, -20' } },
  { name: 'range: end past the size', path: '/range?size=100', headers: { Range: 'bytes=50-5000' } },
  { name: 'range: unsatisfiable -> -1', path: '/range?size=100', headers: { Range: 'bytes=200-300' } },
  { name: 'range: malformed -> -2', path: '/range?size=100', headers: { Range: 'bytes=abc' } },
  { name: 'range: no = -> -2', path: '/range?size=100', headers: { Range: 'bytes' } },
  { name: 'range: other unit', path: '/range?size=100', headers: { Range: 'items=1-2' } },
  { name: 'range: combine', path: '/range?size=1000&combine=1', headers: { Range: 'bytes=500-600,0-10,11-20,550-700,990-' } },

  // res extras
  { name: 'attachment without a name', path: '/attachment', headers_compared: CD },
  { name: 'attachment with a name (type from it)', path: '/attachment?name=report.pdf', headers_compared: CD },
  { name: 'attachment: a path gives its base name', path: '/attachment?name=dir%2Fsub%2Fdata.json', headers_compared: CD },
  { name: 'attachment: non-ASCII name', path: '/attachment?name=na%C3%AFve%20r%C3%A9sum%C3%A9%20%E2%82%AC.txt', headers_compared: CD },
  { name: 'attachment: emoji name', path: '/attachment?name=%F0%9F%98%80%20smile.png', headers_compared: CD },
  { name: 'attachment: quotes and backslash', path: '/attachment?name=say%20%22hi%22%5C.txt', headers_compared: CD },
  { name: 'attachment: a %XX in the name', path: '/attachment?name=100%2541.txt', headers_compared: CD },
  { name: 'attachment: a token name', path: '/attachment?name=plain.txt', headers_compared: CD },
  { name: 'download', path: '/download', headers_compared: CD, etag: 'presence' },
  { name: 'download with a non-ASCII name', path: '/download?name=%C3%BCber%20caf%C3%A9.txt', headers_compared: CD, etag: 'presence' },
  { name: 'download of a missing file -> 404', path: '/download?file=missing.txt', headers_compared: CD },
  { name: 'location encodes', path: '/location?to=%2Fa%20b%3Fc%3D%C3%A4%26d%3D%2520' },
  { name: 'location "back" is a plain path in Express 5', path: '/location?to=back', headers: { Referer: '/from' } },
  { name: 'links', path: '/links', headers_compared: ['link'] },
  { name: 'jsonp without a callback', path: '/jsonp' },
  { name: 'jsonp with a callback', path: '/jsonp?cb=handle' },
  { name: 'jsonp: the callback name is sanitised', path: '/jsonp?cb=%3Cscript%3Ealert(1)%3B%3C%2Fscript%3Ea.b%5B0%5D%24_' },
  { name: 'jsonp: the first of two callbacks', path: '/jsonp?cb=one&cb=two' },
  { name: 'jsonp: the default name is not read once renamed', path: '/jsonp?callback=ignored' },
  { name: 'jsonp: a type already set stays', path: '/jsonp-typed?cb=f' },
];
