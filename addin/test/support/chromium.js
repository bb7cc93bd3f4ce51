'use strict';
// Headless Chromium (the Debian package) through puppeteer-core, for the
// add-ins' HTML. withChromium(t, fn) opens a page, collects console errors
// and page errors, and gives fn a screenshot(name) that saves a PNG under a
// temporary folder (its path is logged). Without Chromium the test skips
// with a message, except with CI=true, where it fails.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';

async function withChromium(t, fn) {
  if (!fs.existsSync(executablePath)) {
    if (process.env.CI === 'true') throw new Error(`${executablePath} is missing (apt-get install chromium)`);
    t.skip(`${executablePath} is missing; install the chromium package to render the add-ins' HTML`);
    return;
  }
  const puppeteer = require('puppeteer-core');
  const browser = await puppeteer.launch({ executablePath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none'] });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aop-screenshots-'));
  try {
    const page = await browser.newPage();
    const consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    page.on('pageerror', (err) => consoleErrors.push(String(err)));
    const screenshot = async (name) => {
      const file = path.join(dir, name);
      await page.screenshot({ path: file, fullPage: true });
      t.diagnostic(`screenshot: ${file}`);
      return file;
    };
    await fn(page, { consoleErrors, screenshot, dir });
  } finally {
    await browser.close();
  }
}

module.exports = { withChromium, executablePath };
