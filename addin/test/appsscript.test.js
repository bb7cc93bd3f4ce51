'use strict';
// The Planning menu's Apps Script, run in Node with the stubs of
// support/gas.js against a real `aop serve` and the Sheets emulator: the
// department's owner validates, submits and refreshes; a forged or a
// replayed request is refused; findings point at the right cells; and the
// sidebar renders in headless Chromium.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { startAop, waitFor } = require('./support/aop');
const { loadScript, syncFetch } = require('./support/gas');
const { withChromium } = require('./support/chromium');

let aop;
let round;
let findingsSidebar; // the sidebar the findings test showed, rendered by the Chromium test

before(async () => {
  aop = await startAop();
  round = await aop.openRound({ backend: 'sheets', departments: 2 });
});

after(async () => {
  if (aop) await aop.stop();
});

/** scriptFor loads the menu's script in the department's spreadsheet, as its owner. */
function scriptFor(dept, extra = {}) {
  return loadScript({ user: dept.owner, spreadsheetId: dept.spreadsheet.id, emulatorUrl: aop.emulator.url,
    scriptProperties: { AOP_URL: aop.url }, ...extra });
}

test('onOpen builds the Planning menu; the add-on uses the add-on menu', () => {
  const gas = scriptFor(round.departments[0]);
  gas.run('onOpen', { authMode: 'LIMITED' });
  assert.equal(gas.menus.length, 1);
  assert.equal(gas.menus[0].name, 'Planning');
  assert.deepEqual(gas.menus[0].items.filter((i) => i.caption).map((i) => [i.caption, i.fn]), [
    ['Validate', 'validatePlan'], ['Submit', 'submitPlan'], ['Refresh summary', 'refreshSummary'],
    ['Round status', 'showRoundStatus'], ['Help', 'showHelp']]);
  for (const item of gas.menus[0].items.filter((i) => i.fn)) {
    assert.equal(typeof gas.context[item.fn], 'function', item.fn);
  }
  const addon = scriptFor(round.departments[0], { scriptProperties: { AOP_URL: aop.url, AOP_AUTH: 'identity' } });
  addon.run('onInstall', { authMode: 'FULL' });
  assert.equal(addon.menus[0].addon, true);
  assert.equal(gas.fetches.length + addon.fetches.length, 0, 'opening calls nothing outside');
});

test('the script signs as the OpenAPI document\'s worked example', () => {
  const doc = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cmd', 'internal', 'httpapi', 'openapi.json'), 'utf8'));
  const ex = doc.components.securitySchemes.sheetSignature['x-example'];
  const gas = loadScript({});
  const h = gas.run('signedHeaders_', 'r1.sales', ex.secret, ex.method, ex.path, ex.body, ex.timestamp, ex.nonce);
  assert.equal(h['X-AOP-Signature'], ex.signature);
  assert.equal(h['X-AOP-Nonce'], ex.nonce);
});

test('validate, submit, round status and refresh succeed for the owner', async () => {
  const dept = round.departments[0];
  const gas = scriptFor(dept);

  const v = gas.run('validatePlan');
  assert.equal(v.level, 'ok', JSON.stringify(v));
  assert.deepEqual(v.findings, []);
  assert.equal(gas.sidebars.length, 1);
  assert.match(gas.sidebars[0].title, /Validate/);
  // The secret came from the hidden identity sheet and is kept in the document's properties.
  assert.equal(gas.documentProperties.get('aop.sheet'), `r${round.id}.${dept.id}`);
  assert.ok(gas.documentProperties.get('aop.secret'));
  const call = gas.fetches[0];
  assert.equal(call.url, `${aop.url}/api/v1/webhook/validate`);
  assert.match(call.headers['X-AOP-Signature'], /^v1=[0-9a-f]{64}$/);

  const s = gas.run('submitPlan');
  assert.equal(s.level, 'ok', JSON.stringify(s));
  assert.equal(s.status, 'submitted');
  const submitCall = gas.fetches.find((f) => f.url.endsWith('/webhook/submit'));
  assert.equal(submitCall.status, 202, 'submit answers 202 and a job');
  const subs = await aop.call('GET', `/api/v1/rounds/${round.id}/departments/${dept.id}/submissions`);
  assert.equal(subs.length, 1);
  assert.equal(subs[0].state, 'accepted');
  assert.equal(subs[0].by, `sheet:r${round.id}.${dept.id}`);

  const st = gas.run('showRoundStatus');
  assert.match(st.summary, new RegExp(`${dept.id}: submitted`));

  // Refresh summary: aop rewrites the spreadsheet from the stored plan
  // (one write to it, counted by the emulator) before the menu answers.
  const writes = async () => {
    const st = (await aop.emulator.stats()).bySpreadsheet[dept.spreadsheet.id] || {};
    return Object.entries(st).filter(([m]) => /batchUpdate|values\.update|values\.clear/.test(m)).reduce((n, [, c]) => n + c, 0);
  };
  const before = await writes();
  const r = gas.run('refreshSummary');
  assert.equal(r.level, 'ok', JSON.stringify(r));
  assert.match(r.summary, /rewrote your Summary tab/);
  assert.equal(gas.fetches.find((f) => f.url.endsWith('/webhook/refresh')).status, 202);
  assert.ok(await writes() > before, 'aop wrote the spreadsheet');

  // After a consolidation, Refresh brings back a Summary tab that someone
  // emptied (aop's own account can; the owner cannot), cell for cell what
  // aop consolidated.
  const run = await aop.call('POST', `/api/v1/rounds/${round.id}/consolidations`, {}, 202);
  await aop.waitJob(run.job);
  const want = await waitFor(async () => {
    const r = await aop.api('GET', `/api/v1/rounds/${round.id}/departments/${dept.id}/summary`);
    return r.status === 200 && r.body;
  }, { timeout: 60000, what: 'the consolidated Summary' });
  assert.ok(want.values.flat().filter((v) => v !== '').length > 20, 'a Summary with figures to compare');
  const summaryRange = `'${want.sheet}'!${want.range}`;
  await waitFor(async () => (await aop.emulator.values(dept.owner, dept.spreadsheet.id, summaryRange))[0].length > 0,
    { timeout: 60000, what: 'the Summary tab written after the consolidation' });
  const cleared = await aop.emulator.sheetsApi(aop.emulator.serviceAccount, 'POST',
    `/v4/spreadsheets/${dept.spreadsheet.id}/values/${encodeURIComponent(summaryRange)}:clear`, {});
  assert.ok(cleared.clearedRange, JSON.stringify(cleared));
  assert.deepEqual(await aop.emulator.values(dept.owner, dept.spreadsheet.id, summaryRange), [[]], 'emptied');
  assert.equal((await aop.emulator.edit(dept.owner, dept.spreadsheet.id, `'${want.sheet}'!A1`, [['mine']])).status >= 400, true,
    'the owner cannot write the Summary tab');

  const again = gas.run('refreshSummary');
  assert.equal(again.level, 'ok', JSON.stringify(again));
  const got = await aop.emulator.sheetsApi(dept.owner, 'GET', `/v4/spreadsheets/${dept.spreadsheet.id}/values/` +
    `${encodeURIComponent(summaryRange)}?valueRenderOption=UNFORMATTED_VALUE`);
  const rows = got.values || [];
  want.values.forEach((row, i) => row.forEach((v, j) => {
    const cell = (rows[i] || [])[j];
    const have = cell === undefined ? '' : cell;
    if (typeof v === 'number' || (typeof v === 'string' && v !== '' && !Number.isNaN(Number(v)) && typeof have === 'number')) {
      assert.ok(Math.abs(Number(have) - Number(v)) < 0.005, `${want.sheet} row ${i + 1} column ${j + 1}: ${have}, want ${v}`);
    } else {
      assert.equal(have, v, `${want.sheet} row ${i + 1} column ${j + 1}`);
    }
  }));
});

test('findings map to the cells the owner typed in', async () => {
  const dept = round.departments[1];
  const id = dept.spreadsheet.id;
  // An amount without an account (an error) and a description without one (a warning).
  assert.equal((await aop.emulator.edit(dept.owner, id, "'Plan'!G15", [[1200]])).status, 200);
  assert.equal((await aop.emulator.edit(dept.owner, id, "'Plan'!D16", [['Team offsite']])).status, 200);
  const gas = scriptFor(dept);
  const v = gas.run('validatePlan');
  assert.equal(v.level, 'error');
  assert.deepEqual(v.findings.map((f) => [f.sheet, f.cell, f.level]), [['Plan', 'A15', 'error'], ['Plan', 'A16', 'warning']]);

  const s = gas.run('submitPlan');
  assert.equal(s.level, 'error', 'aop did not accept the plan');
  assert.equal(s.status, 'in_progress');
  assert.deepEqual(s.findings.map((f) => f.cell), ['A15', 'A16']);

  // The sidebar's link selects the cell through google.script.run.selectCell.
  assert.equal(gas.run('selectCell', v.findings[0].sheet, v.findings[0].cell), 'Plan!A15');
  assert.deepEqual(gas.selection, { sheet: 'Plan', a1: 'A15' });
  findingsSidebar = gas.sidebars.at(-1);
});

/** replay sends the script's headers for one request again, or with other headers. */
function replay(call, headers = call.headers) {
  return syncFetch(call.url, { method: call.method, headers: { ...headers, 'Content-Type': 'application/json' }, body: call.payload });
}

test('a forged or replayed request is refused', async () => {
  const dept = round.departments[0];
  const other = round.departments[1];

  // A secret of the script's own making.
  const forged = scriptFor(dept, { documentProperties: { 'aop.sheet': `r${round.id}.${dept.id}`, 'aop.secret': 'f'.repeat(64) } });
  const headers = forged.run('signedHeaders_', `r${round.id}.${dept.id}`, 'f'.repeat(64), 'POST', '/api/v1/webhook/validate', '{}',
    String(Math.floor(Date.now() / 1000)), 'forged-nonce-1');
  const r = syncFetch(`${aop.url}/api/v1/webhook/validate`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(r.status, 401, r.body.toString());
  assert.equal(JSON.parse(r.body.toString()).error.code, 'unauthorized');

  // One sheet's secret does not sign for another sheet.
  const gas = scriptFor(dept);
  gas.run('validatePlan');
  const good = gas.fetches[0];
  const stolen = replay(good, { ...good.headers, 'X-AOP-Sheet': `r${round.id}.${other.id}`, 'X-AOP-Nonce': 'another-nonce-1' });
  assert.equal(stolen.status, 401, stolen.body.toString());

  // The very request again: the nonce was used.
  const again = replay(good);
  assert.equal(again.status, 401, again.body.toString());
  assert.match(JSON.parse(again.body.toString()).error.message, /nonce was used before/);

  // A timestamp outside the window.
  const old = gas.run('signedHeaders_', good.headers['X-AOP-Sheet'], gas.documentProperties.get('aop.secret'), 'POST',
    '/api/v1/webhook/validate', '{}', String(Math.floor(Date.now() / 1000) - 3600), 'old-nonce-123');
  const late = syncFetch(good.url, { method: 'POST', headers: { ...old, 'Content-Type': 'application/json' }, body: '{}' });
  assert.equal(late.status, 401);

  // The menu says so in its sidebar rather than failing.
  const view = forged.run('validatePlan');
  assert.equal(view.level, 'ok', 'a stale secret is read again from the identity sheet and the call retried');
  const bad = scriptFor(dept, { scriptProperties: { AOP_URL: aop.url, AOP_AUTH: 'identity' }, identityToken: 'eyJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJ4In0.c2ln' });
  const refused = bad.run('validatePlan');
  assert.equal(refused.level, 'error');
  assert.equal(bad.fetches[0].headers.Authorization.slice(0, 7), 'Bearer ');
  assert.equal(bad.fetches[0].headers['X-AOP-Sheet'], `r${round.id}.${dept.id}`, 'the add-on names the sheet from the developer metadata');
  assert.equal(bad.fetches[0].status, 401, 'aop without an add-on client id refuses identity tokens');
});

test('the sidebar renders the findings in headless Chromium and its links call selectCell', async (t) => {
  assert.ok(findingsSidebar, 'the findings test ran first');
  const { html } = findingsSidebar;
  await withChromium(t, async (page, { consoleErrors, screenshot }) => {
    // Google serves the sidebar with google.script.run; here its stub comes first.
    const stub = fs.readFileSync(path.join(__dirname, 'support', 'google-script-run.js'), 'utf8');
    await page.setViewport({ width: 300, height: 420 });
    await page.setContent(html.replace('<head>', `<head><script>${stub}</script>`), { waitUntil: 'load' });
    const links = await page.$$eval('a.cell', (as) => as.map((a) => a.textContent));
    assert.deepEqual(links, ['Plan!A15', 'Plan!A16']);
    assert.match(await page.$eval('#summary', (e) => e.textContent), /1 error and 1 warning/);
    await page.click('a.cell');
    const calls = await page.evaluate(() => window.googleScriptRunCalls);
    assert.deepEqual(calls[0], { name: 'selectCell', args: ['Plan', 'A15'] });
    await waitFor(async () => /Selected Plan!A15/.test(await page.$eval('#note', (e) => e.textContent)), { timeout: 5000, what: 'the note' });
    const file = await screenshot('sidebar-findings.png');
    assert.ok(fs.statSync(file).size > 1000);
    if (process.env.AOP_UPDATE_SCREENSHOT) fs.copyFileSync(file, path.join(__dirname, '..', 'docs', 'sheets-sidebar.png'));
    assert.deepEqual(consoleErrors, []);
  });
});
