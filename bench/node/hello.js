// W0 for Node: Express 5, GET / → "ok", nothing else.
const express = require('express');
const app = express();
app.get('/', (req, res) => res.send('ok'));
const server = app.listen(Number(process.argv[2] || 3000), '127.0.0.1', () => {
  console.log(`listening on 127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
