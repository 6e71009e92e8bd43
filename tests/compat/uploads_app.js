#!/usr/bin/env node
// The reference app for uploads: Express 5 with multer (disk storage). uploads_twin.cpp is the
// same app in cortado; uploads_compare.mjs sends both the same multipart bodies and diffs the
// answers (fields, file metadata, limit errors).
//
//   node uploads_app.js --port 0 --dest DIR
//
// Prints "listening on 127.0.0.1:PORT" once it listens, exits 0 on SIGTERM.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const express = require('express');
const multer = require('multer');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const port = Number(option('--port', '0'));
const dest = path.resolve(option('--dest', 'uploads'));

// The answer: the fields, and each file's metadata with what was stored. The two servers store
// under different folders with random names, so those are shown by their shape.
function describe(req) {
  const files = req.file ? [req.file] : Array.isArray(req.files) ? req.files : Object.values(req.files ?? {}).flat();
  return {
    body: req.body ?? null,
    files: files.map((f) => ({
      fieldname: f.fieldname,
      originalname: f.originalname,
      encoding: f.encoding,
      mimetype: f.mimetype,
      destination: f.destination === dest ? 'dest' : f.destination,
      filename: /^[0-9a-f]{32}$/.test(f.filename) ? 'random' : f.filename,
      path: f.path === path.join(dest, f.filename) ? 'dest/filename' : f.path,
      size: f.size,
      content: fs.readFileSync(f.path, 'latin1'),
    })),
  };
}

const app = express();
const upload = multer({ dest });
app.post('/any', upload.any(), (req, res) => res.json(describe(req)));
app.post('/single', upload.single('avatar'), (req, res) => res.json(describe(req)));
app.post('/array', upload.array('photos', 2), (req, res) => res.json(describe(req)));
app.post('/fields', upload.fields([{ name: 'a', maxCount: 1 }, { name: 'b', maxCount: 2 }]), (req, res) => res.json(describe(req)));
app.post('/none', upload.none(), (req, res) => res.json(describe(req)));
const limited = multer({ dest, limits: { fileSize: 10, files: 2, fields: 3, parts: 6, fieldSize: 8, fieldNameSize: 5 } });
app.post('/limited', limited.any(), (req, res) => res.json(describe(req)));

// Errors: multer's code, field and message; the limits 413, the rest 400 (cortado's statuses:
// multer leaves them to the app).
app.use((err, req, res, next) => {
  if (err instanceof multer.MulterError) {
    const status = err.code.startsWith('LIMIT_') && err.code !== 'LIMIT_UNEXPECTED_FILE' ? 413 : 400;
    return res.status(status).json({ code: err.code, field: err.field, message: err.message });
  }
  res.status(err.status || 400).json({ message: err.message });
});

const server = app.listen(port, '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
