'use strict';
// The task pane served by a real aop serve, rendered in headless Chromium:
// Microsoft's CDN is out of reach here, so the page's request for office.js
// is answered from the @microsoft/office-js package; the page must load
// with no console errors, and a screenshot is taken (into docs/ with
// AOP_UPDATE_DOCS=1).
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startAop } = require('./support/aop');

const chromium = process.env.AOP_CHROMIUM || '/usr/bin/chromium';
const missing = !fs.existsSync(chromium);
if (missing && process.env.CI === 'true') throw new Error(`CI needs Chromium at ${chromium} (apt-get install chromium)`);
const skip = missing ? `Chromium is not installed at ${chromium} (apt-get install chromium); skipping` : false;

const cdn = 'https://appsforoffice.microsoft.com/lib/1/hosted/';
const dist = path.join(__dirname, '..', 'node_modules', '@microsoft', 'office-js', 'dist');

let aop;
let browser;
before(async () => {
  if (skip) return;
  aop = await startAop();
  const puppeteer = require('puppeteer-core');
  browser = await puppeteer.launch({ executablePath: chromium, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
});
after(async () => {
  if (browser) await browser.close();
  if (aop) await aop.stop();
});

test('the task pane renders with no console errors', { skip }, async (t) => {
  const page = await browser.newPage();
  await page.setViewport({ width: 360, height: 640, deviceScaleFactor: 2 });
  const problems = [];
  page.on('console', (m) => { if (m.type() === 'error') problems.push(m.text()); });
  page.on('pageerror', (e) => problems.push(e.message));
  const served = [];
  await page.setRequestInterception(true);
  page.on('request', (req) => {
    const url = req.url();
    if (url.startsWith(cdn)) {
      const file = path.join(dist, url.slice(cdn.length).split('?')[0]);
      if (file.startsWith(dist) && fs.existsSync(file)) {
        served.push(url);
        req.respond({ status: 200, contentType: 'text/javascript', headers: { 'Access-Control-Allow-Origin': '*' }, body: fs.readFileSync(file) });
      } else {
        served.push('404 ' + url);
        req.respond({ status: 404, body: '' });
      }
      return;
    }
    if (url.startsWith(aop.url)) { req.continue(); return; }
    req.abort();
  });
  const res = await page.goto(`${aop.url}/addin/excel/taskpane.html`, { waitUntil: 'networkidle0' });
  assert.equal(res.status(), 200);
  assert.ok(served.includes(cdn + 'office.js'), 'office.js was asked of the CDN');
  await page.waitForFunction(() => document.getElementById('who').textContent.length > 0);
  // Outside Excel, reading the workbook fails and says so; nothing else.
  await page.waitForFunction(() => !/Reading/.test(document.getElementById('workbook').textContent), { timeout: 15000 }).catch((e) => { throw new Error(e.message + ' served: ' + served.join(' ') + ' problems: ' + problems.join(' | ')); });
  const buttons = await page.$$eval('.actions button', (b) => b.map((x) => x.textContent));
  assert.deepEqual(buttons, ['Validate', 'Submit', 'Refresh', 'Status']);
  // Show what a department head sees after Validate found a mistake.
  await page.evaluate(() => {
    document.getElementById('workbook').textContent = 'marketing · round 1 · kestrel-fy2027';
    document.getElementById('who').textContent = 'Signed in with a department token (aop_3f9c…).';
    const m = document.getElementById('message');
    m.textContent = '1 mistake to fix before you submit.';
    m.className = 'bad';
    const li = document.createElement('li');
    li.className = 'error';
    li.innerHTML = '<span class="level">error: </span><a class="cell">\'Plan\'!H7</a> amount for 6000 Salaries in May 2026 must be a number, got "about 40k"';
    document.getElementById('findings').appendChild(li);
  });
  // The picture in docs/ is refreshed only on request (AOP_UPDATE_DOCS=1);
  // otherwise it goes to a temporary folder.
  const dir = process.env.AOP_UPDATE_DOCS ? path.join(__dirname, '..', 'docs') : fs.mkdtempSync(path.join(os.tmpdir(), 'aop-taskpane-'));
  const shot = path.join(dir, 'excel-taskpane.png');
  await page.screenshot({ path: shot, fullPage: true });
  t.diagnostic(`screenshot: ${shot}`);
  assert.ok(fs.statSync(shot).size > 5000);
  assert.deepEqual(problems, []);
});
