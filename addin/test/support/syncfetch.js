'use strict';
// One HTTP request for gas.js's synchronous UrlFetchApp: reads
// {url, method, headers, body (base64)} as JSON on stdin, writes
// {status, headers, body (base64)} or {error} as JSON on stdout.
let input = '';
process.stdin.on('data', (d) => { input += d; });
process.stdin.on('end', async () => {
  const req = JSON.parse(input);
  try {
    const r = await fetch(req.url, {
      method: req.method, headers: req.headers, redirect: 'manual',
      body: req.body === undefined ? undefined : Buffer.from(req.body, 'base64'),
      signal: AbortSignal.timeout(60000),
    });
    const body = Buffer.from(await r.arrayBuffer()).toString('base64');
    process.stdout.write(JSON.stringify({ status: r.status, headers: Object.fromEntries(r.headers), body }));
  } catch (err) {
    process.stdout.write(JSON.stringify({ error: String(err && err.cause ? `${err.message}: ${err.cause.message}` : err) }));
  }
});
