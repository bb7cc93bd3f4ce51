'use strict';
// The Excel add-in's code (office/aop-excel.js, office/commands.js) under
// office-addin-mock in Node, against a real `aop serve`: the workbook
// Office hands over (getFileAsync) is the department's real .xlsx,
// downloaded from aop, or the same with a typed mistake in 'Plan'!H7 or
// an explanation typed on its Actuals vs Plan tab after a monthly close.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const AdmZip = require('adm-zip');
const { OfficeMockObject } = require('office-addin-mock');
const { startAop } = require('./support/aop');

const addin = require('../office/aop-excel.js');
const DEPT = 'marketing';
const ACTUALS = 'Actuals vs Plan';

let aop; let round; let token; let clean; let mistaken; let key;

/** withMistake types "about 40k" into an amount cell of the Plan sheet of an .xlsx. */
function withMistake(xlsx, cell) {
  return typeInto(xlsx, 'Plan', cell, 'about 40k');
}

/** typeInto types text into a cell (one aop wrote, empty or not) of a sheet of an .xlsx. */
function typeInto(xlsx, sheet, cell, text) {
  const zip = new AdmZip(xlsx);
  const wb = zip.readAsText('xl/workbook.xml');
  const rid = wb.match(new RegExp(`<sheet name="${sheet}"[^>]*r:id="([^"]+)"`))[1];
  const rels = zip.readAsText('xl/_rels/workbook.xml.rels');
  const target = rels.match(new RegExp(`<Relationship[^>]*Id="${rid}"[^>]*Target="([^"]+)"`))
    || rels.match(new RegExp(`<Relationship[^>]*Target="([^"]+)"[^>]*Id="${rid}"`));
  const part = 'xl/' + target[1].replace(/^\/?xl\//, '');
  const xml = zip.readAsText(part);
  const re = new RegExp(`<c r="${cell}"( s="\\d+")?[^>]*?(/>|>.*?</c>)`);
  assert.match(xml, re, `${part} has ${cell}`);
  const t = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  zip.updateFile(part, Buffer.from(xml.replace(re, (_, style) => `<c r="${cell}"${style || ''} t="inlineStr"><is><t>${t}</t></is></c>`)));
  return zip.toBuffer();
}

/** link signs a link for the department as aop's reminders do. */
function link(expires, sig) {
  const exp = String(Math.floor(expires / 1000));
  const mac = crypto.createHmac('sha256', key).update(`aop link v1\n${round.id}\n${DEPT}\n${exp}`).digest('hex');
  return `${aop.url}/api/v1/rounds/${round.id}/departments/${DEPT}/workbook?expires=${exp}&sig=${sig || mac}`;
}

/**
 * mockOffice installs Office and Excel for a workbook of bytes whose
 * identity sheet holds identity and, when actuals is given (the values of
 * its used range from A1), an Actuals vs Plan tab at position 3; it
 * answers a log of what the add-in did.
 */
function mockOffice(bytes, { identity, actuals } = {}) {
  const log = { selected: [], deleted: [], added: [], settings: {}, saved: 0 };
  const id = identity || ['kestrel-fy2027', DEPT, 'department', '1', String(round.id), 'key', 'structure', 'sig', '', `r${round.id}.${DEPT}`];
  const addedSheet = (name) => {
    const s = { name, ranges: {}, protected: false, activated: false };
    s.getRange = (a) => {
      const r = s.ranges[a] || { address: a, format: { font: {}, fill: {}, protection: {}, autofitColumns() { r.autofit = true; } },
        merge(across) { r.merged = across ? 'across' : true; } };
      s.ranges[a] = r;
      return r;
    };
    s.protection = { protect() { s.protected = true; } };
    s.activate = () => { s.activated = true; };
    log.added.push(s);
    return s;
  };
  global.Excel = new OfficeMockObject({
    context: {
      workbook: {
        worksheets: {
          _aop: { isNullObject: false, position: 5, identity: { values: id.map((v) => [v]) },
            getRange(a) { assert.equal(a, 'B3:B12'); return this.identity; } },
          Summary: { isNullObject: false, position: 1, delete() { log.deleted.push('Summary'); } },
          [ACTUALS]: { isNullObject: !actuals, position: 3, delete() { log.deleted.push(ACTUALS); },
            used: { values: actuals || [['']], rowIndex: 0, columnIndex: 0 },
            getUsedRange() { return this.used; } },
          missing: { isNullObject: true, position: 0 },
          getItemOrNullObject(name) { return ['_aop', 'Summary', ACTUALS].includes(name) ? this[name] : this.missing; },
          getItem(name) {
            return { getRange: (a) => ({ select: () => log.selected.push(`'${name}'!${a}`) }) };
          },
          add: addedSheet,
        },
      },
    },
    run: async function (callback) { return callback(this.context); },
  });
  const data = Array.from(bytes);
  const ok = (value) => ({ status: 'succeeded', value });
  global.Office = {
    FileType: { Compressed: 'compressed' },
    AsyncResultStatus: { Succeeded: 'succeeded', Failed: 'failed' },
    context: {
      document: {
        getFileAsync(type, opts, cb) {
          assert.equal(type, 'compressed');
          const size = opts.sliceSize > 100000 ? 65536 : opts.sliceSize; // several slices, as Office sends them
          const n = Math.ceil(data.length / size);
          cb(ok({ size: data.length, sliceCount: n,
            getSliceAsync: (i, c) => c(ok({ index: i, data: data.slice(i * size, (i + 1) * size) })),
            closeAsync: (c) => c(ok()) }));
        },
      },
      roamingSettings: {
        get: (k) => log.settings[k],
        set: (k, v) => { log.settings[k] = JSON.parse(JSON.stringify(v)); },
        remove: (k) => { delete log.settings[k]; },
        saveAsync: (cb) => { log.saved++; cb(ok()); },
      },
    },
    onReady: (fn) => fn && fn({ host: 'Excel' }),
    actions: { associated: {}, associate(name, fn) { this.associated[name] = fn; } },
  };
  return log;
}

/** unlocked lists the ranges the add-in unlocked on a sheet it wrote. */
function unlocked(sheet) {
  return Object.values(sheet.ranges).filter((r) => r.format.protection.locked === false).map((r) => r.address).sort();
}

/** at is an A1 range's top-left cell, with its row and column index in a tab's values (which start at A1). */
function at(a1) {
  const [, col, row] = a1.match(/^([A-Z]+)(\d+)/);
  return { cell: col + row, row: Number(row) - 1, col: [...col].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1 };
}

/** inputOf is the explanation cell of an account's block on an Actuals vs Plan tab. */
function inputOf(tab, code) {
  const a = tab.inputs.find((x) => tab.values[at(x).row][0] === code);
  assert.ok(a, `account ${code} asks for an explanation; the inputs are ${JSON.stringify(tab.inputs)}`);
  return at(a);
}

/** written is the sheet Refresh wrote under a name. */
function written(log, name) {
  const sheets = log.added.filter((x) => x.name === name);
  assert.equal(sheets.length, 1, `one ${name} tab written`);
  return sheets[0];
}

/**
 * oldTab is an Actuals vs Plan tab as Excel reads it back some time after
 * a Refresh wrote it from tab: of the month label (B3), with its account
 * blocks in reverse order (every account at another place than in tab),
 * codes kept as numbers (as Excel keeps "6000"), and text typed in the
 * explanation column of the accounts of typed ({code: text}).
 */
function oldTab(tab, label, typed) {
  const rows = tab.values.map((r) => r.slice());
  const first = 10; // row 11
  let end = first;
  while (rows[end] && rows[end][2] === 'Actual') end += 3;
  const blocks = [];
  for (let i = first; i < end; i += 3) blocks.push(rows.slice(i, i + 3));
  assert.ok(blocks.length >= 3, 'several account blocks');
  const out = [...rows.slice(0, first), ...blocks.reverse().flat(), ...rows.slice(end)];
  out[2][1] = label;
  const col = at(tab.inputs[0]).col;
  for (let i = first; i < end; i += 3) {
    const code = out[i][0];
    out[i][0] = Number(code);
    if (typed[code] !== undefined) out[i][col] = typed[code];
  }
  return out;
}

before(async () => {
  aop = await startAop();
  addin.configure({ server: aop.url });
  // The demo's downside playbook freezes hiring, and a consolidation whose
  // plans hire nobody fails on it ("changes nothing"); this round's plans
  // are the seeded workbooks, which hire nobody, so the action goes.
  const cycle = aop.cycleYAML.replace(/^\s*- \{name: freeze hiring,[^\n]*\n/m, '');
  assert.notEqual(cycle, aop.cycleYAML);
  await aop.call('POST', '/api/v1/cycles?name=cycle.yaml', cycle);
  round = await aop.openRound({ departments: [DEPT] });
  token = aop.token('department', DEPT);
  clean = await aop.workbook(round.id, DEPT, token);
  mistaken = withMistake(clean, 'H7');
  key = Buffer.from(fs.readFileSync(path.join(aop.dir, 'data', 'signing.key'), 'utf8').trim(), 'hex');
});
after(async () => { if (aop) await aop.stop(); });

test('sign-in takes a department token or a signed link and keeps it in the roaming settings', async () => {
  const log = mockOffice(clean);
  assert.throws(() => addin.parseCredential('hello'), /department token/);
  assert.throws(() => addin.parseCredential('https://x.example/other?expires=1&sig=2'), /signed links/);
  await addin.signIn(`  ${token}\n`);
  assert.deepEqual(log.settings['aop.auth'], { kind: 'token', token });
  assert.equal(log.saved, 1);
  const l = addin.parseCredential(link(Date.now() + 3600e3));
  assert.equal(l.kind, 'link');
  assert.equal(l.department, DEPT);
  assert.equal(l.round, String(round.id));
  await addin.signOut();
  assert.equal(log.settings['aop.auth'], undefined);
  await assert.rejects(addin.validate(), /Sign in first/);
});

test('the identity comes from the hidden sheet', async () => {
  mockOffice(clean);
  const id = await addin.readIdentity();
  assert.equal(id.department, DEPT);
  assert.equal(id.round, String(round.id));
  assert.equal(id.sheet, `r${round.id}.${DEPT}`);
});

test('Validate and Submit succeed for the owner; findings select the offending cell', async () => {
  let log = mockOffice(clean);
  await addin.signIn(token);
  let r = await addin.validate();
  assert.equal(r.ok, true, r.message);
  assert.deepEqual(r.findings.filter((f) => f.level === 'error'), []);

  log = mockOffice(mistaken);
  await addin.signIn(token);
  r = await addin.validate();
  assert.equal(r.ok, false);
  const f = r.findings.find((x) => x.level === 'error');
  assert.equal(f.sheet, 'Plan');
  assert.equal(f.cell, 'H7');
  assert.match(f.message, /about 40k/);
  assert.deepEqual(log.selected, ["'Plan'!H7"]);

  r = await addin.submit();
  assert.equal(r.ok, false);
  assert.equal(r.status, 422);
  assert.deepEqual(log.selected, ["'Plan'!H7", "'Plan'!H7"]);

  log = mockOffice(clean);
  await addin.signIn(token);
  r = await addin.submit();
  assert.equal(r.status, 201, r.message);
  assert.equal(r.ok, true);
  assert.deepEqual(log.selected, []);
  const st = await addin.status();
  assert.match(st.message, /submitted/);
});

test('forged tokens, forged links and links replayed after expiry are refused like any unauthenticated call', async () => {
  mockOffice(clean);
  for (const cred of [`aop_${crypto.randomBytes(16).toString('hex')}`, link(Date.now() + 3600e3, 'ab'.repeat(32)),
    link(Date.now() - 60e3)]) {
    await addin.signIn(cred);
    for (const action of ['validate', 'submit', 'refresh', 'status']) {
      const r = await addin[action]();
      assert.equal(r.status, 401, `${action} with ${cred}: ${r.message}`);
      assert.equal(r.ok, false);
      assert.match(r.message, /did not accept your sign-in/);
    }
  }
  // A genuine link works until it expires; replayed after, it is refused.
  const soon = Date.now() + 2500;
  await addin.signIn(link(soon));
  assert.equal((await addin.validate()).status, 200);
  await new Promise((res) => setTimeout(res, soon - Date.now() + 1100));
  assert.equal((await addin.validate()).status, 401);
  // A link of another department's workbook is refused before any call.
  mockOffice(clean, { identity: ['kestrel-fy2027', 'sales', 'department', '1', String(round.id), '', '', '', '', ''] });
  await addin.signIn(link(Date.now() + 3600e3));
  await assert.rejects(addin.validate(), /link is for marketing/);
});

test('Refresh writes the Summary tab from the summary endpoint, and only it before the first close', async () => {
  let log = mockOffice(clean);
  await addin.signIn(token);
  let r = await addin.refresh();
  assert.equal(r.status, 404, 'nothing consolidated yet');
  assert.equal(r.ok, false);
  assert.match(r.message, /not been consolidated/);
  assert.deepEqual(log.added, []);

  const started = await aop.call('POST', `/api/v1/rounds/${round.id}/consolidations`, undefined, 202);
  await aop.waitJob(started.job);
  const tab = await aop.call('GET', `/api/v1/rounds/${round.id}/departments/${DEPT}/summary`, undefined, 200, token);

  log = mockOffice(clean);
  await addin.signIn(link(Date.now() + 3600e3));
  r = await addin.refresh();
  assert.equal(r.ok, true, r.message);
  // No month is closed yet: the actuals endpoint answers 404, and Refresh
  // writes the Summary tab alone and says so.
  assert.equal((await aop.api('GET', `/api/v1/rounds/${round.id}/departments/${DEPT}/actuals`, undefined, token)).status, 404);
  assert.deepEqual(r.tabs, ['Summary']);
  assert.match(r.message, /^The Summary tab shows aop's consolidation on .*\. Only the Summary tab was refreshed: finance has not closed a month/);
  assert.deepEqual(log.deleted, ['Summary']);
  assert.equal(log.added.length, 1);
  const sheet = log.added[0];
  assert.equal(sheet.name, 'Summary');
  assert.equal(sheet.position, 1, 'where the old tab was');
  assert.ok(sheet.protected);
  assert.deepEqual(tab.inputs, []);
  assert.deepEqual(unlocked(sheet), [], 'the Summary tab has no input cells');
  const range = sheet.ranges[tab.range];
  assert.ok(range, `wrote ${tab.range}`);
  assert.deepEqual(range.values, tab.values);
  assert.deepEqual(range.numberFormat, tab.number_formats);
  assert.match(String(range.values[0][0]), /Marketing/);
  assert.ok(range.values.flat().some((v) => typeof v === 'number'), 'numbers stay numbers');
  for (const a of tab.bold) assert.equal(sheet.ranges[a].format.font.bold, true, a);
});

test('the ribbon commands run the actions and always complete', async () => {
  const log = mockOffice(mistaken);
  delete require.cache[require.resolve('../office/commands.js')];
  require('../office/commands.js');
  const assoc = global.Office.actions.associated;
  assert.deepEqual(Object.keys(assoc).sort(), ['refreshSummary', 'submitPlan', 'validatePlan']);
  await addin.signIn(token);
  let completed = 0;
  await assoc.validatePlan({ completed: () => { completed++; } });
  assert.equal(completed, 1);
  assert.deepEqual(log.selected, ["'Plan'!H7"]);
  assert.equal(addin.lastResult().action, 'validate');
  assert.equal(addin.lastResult().selected.cell, 'H7');

  await addin.signOut();
  await assoc.submitPlan({ completed: () => { completed++; } });
  assert.equal(completed, 2, 'completed even when it fails');
  assert.match(addin.lastResult().message, /Sign in first/);
});

// The monthly close: finance imports the ledger and closes a month against
// the consolidated round; the department's Actuals vs Plan tab asks for an
// explanation of each line far from plan.
let closed; // GET …/actuals after the close

test('after a close, Refresh writes the Actuals vs Plan tab too: its values, protected but for the explanation cells', async () => {
  // Salaries (6000) far above plan, contractors (6100) near it.
  const gl = ['Cost centre,Account,Period,Amount', `${DEPT},6000,1,900000.00`, `${DEPT},6100,1,14500.00`, 'Total,,,914500.00', ''].join('\n');
  const imp = await aop.call('POST', `/api/v1/cycles/${aop.cycle.id}/actuals?mapping=gl&name=gl.csv`, gl);
  assert.equal(imp.clean, true, imp.report.join('\n'));
  const started = await aop.call('POST', `/api/v1/cycles/${aop.cycle.id}/closes`, undefined, 202);
  await aop.waitJob(started.job);
  closed = await aop.call('GET', `/api/v1/rounds/${round.id}/departments/${DEPT}/actuals`, undefined, 200, token);
  assert.equal(closed.sheet, ACTUALS);
  assert.ok(closed.inputs.length > 0, 'a line asks for an explanation');
  const salaries = inputOf(closed, '6000');
  assert.equal(closed.values[salaries.row][salaries.col], '', 'nothing explained yet');
  const label = closed.values[2][1];
  assert.match(label, /^\w{3} \d{4} \(FY\d{4}-P\d{2}\)$/, 'B3 is the closed month');
  const summary = await aop.call('GET', `/api/v1/rounds/${round.id}/departments/${DEPT}/summary`, undefined, 200, token);

  const log = mockOffice(clean);
  await addin.signIn(token);
  const r = await addin.refresh();
  assert.equal(r.ok, true, r.message);
  assert.deepEqual(r.tabs, ['Summary', ACTUALS]);
  assert.equal(r.message, `The Summary tab shows aop's consolidation ${summary.as_of}; the ${ACTUALS} tab shows the close of ${label}.`);
  assert.deepEqual(log.deleted, ['Summary'], 'the workbook had no Actuals vs Plan tab');
  assert.equal(log.added.length, 2);
  const sheet = written(log, ACTUALS);
  assert.equal(sheet.position, 2, 'right after the Summary tab');
  assert.ok(sheet.protected);
  const range = sheet.ranges[closed.range];
  assert.ok(range, `wrote ${closed.range}`);
  assert.deepEqual(range.values, closed.values);
  assert.deepEqual(range.numberFormat, closed.number_formats);
  for (const a of closed.bold) assert.equal(sheet.ranges[a].format.font.bold, true, a);
  // Each explanation cell is a merged block of rows, open for typing and
  // wrapping; every other cell stays locked.
  assert.deepEqual(unlocked(sheet), [...closed.inputs].sort());
  for (const a of closed.inputs) {
    assert.match(a, /^[A-Z]+\d+:[A-Z]+\d+$/, a);
    assert.equal(sheet.ranges[a].merged, true, `${a} merged`);
    assert.equal(sheet.ranges[a].format.wrapText, true, `${a} wraps`);
    assert.equal(sheet.ranges[a].format.fill.color, '#FFF2CC', `${a} is an input's pale yellow`);
  }
  assert.deepEqual(unlocked(written(log, 'Summary')), []);
});

test('Refresh keeps an unsent explanation of the same month at its account\'s new place, and none of another month', async () => {
  const label = closed.values[2][1];
  const salaries = inputOf(closed, '6000');
  const contractors = closed.values.findIndex((row) => row[0] === '6100');
  assert.ok(contractors > 0 && !closed.inputs.some((a) => at(a).row === contractors), '6100 asks for no explanation');
  const media = inputOf(closed, '6400');
  const typed = { 6000: 'Two hires started a month early', 6400: 'The spring campaign slipped to P02', 6100: 'not asked for' };
  const old = oldTab(closed, label, typed);
  assert.notEqual(old.findIndex((row) => row[0] === 6000), salaries.row, 'the account moved');

  let log = mockOffice(clean, { actuals: old });
  await addin.signIn(token);
  let r = await addin.refresh();
  assert.equal(r.ok, true, r.message);
  assert.deepEqual(log.deleted, ['Summary', ACTUALS]);
  let sheet = written(log, ACTUALS);
  assert.equal(sheet.position, 3, 'where the old tab was');
  const want = closed.values.map((row) => row.slice());
  want[salaries.row][salaries.col] = typed[6000];
  want[media.row][media.col] = typed[6400];
  assert.deepEqual(sheet.ranges[closed.range].values, want);
  assert.match(r.message, /The 2 explanations you typed there and have not submitted yet are kept: Submit/);
  assert.deepEqual(unlocked(sheet), [...closed.inputs].sort());

  // The same text on the tab of an earlier month is not this month's.
  log = mockOffice(clean, { actuals: oldTab(closed, 'Jan 2026 (FY2026-P12)', typed) });
  await addin.signIn(token);
  r = await addin.refresh();
  assert.equal(r.ok, true, r.message);
  assert.deepEqual(log.deleted, ['Summary', ACTUALS]);
  sheet = written(log, ACTUALS);
  assert.deepEqual(sheet.ranges[closed.range].values, closed.values);
  assert.doesNotMatch(r.message, /explanation/);
});

test('an explanation submitted with the workbook comes back from aop on the next Refresh, though the plan is approved', async () => {
  const approved = await aop.call('POST', `/api/v1/rounds/${round.id}/departments/${DEPT}/approve`, {});
  assert.equal(approved.status, 'approved');
  assert.equal(approved.locked, true);
  const salaries = inputOf(closed, '6000');
  // The stored workbook has the tab written by the close; the department
  // types its explanation there and submits.
  const said = 'Two hires started early & the bonus accrual moved to P01';
  const xlsx = typeInto(await aop.workbook(round.id, DEPT, token), ACTUALS, salaries.cell, said);
  let log = mockOffice(xlsx);
  await addin.signIn(token);
  const sub = await addin.submit();
  assert.equal(sub.status, 201, `${sub.message} ${JSON.stringify(sub.findings)}`);
  assert.ok(sub.explained >= 1, `explained ${sub.explained}`);
  assert.match(sub.message, /accepted your plan and your (\d+ )?explanations?/);
  const st = await aop.status(round.id);
  assert.equal(st.departments.find((d) => d.department === DEPT).status, 'approved', 'still approved');

  const tab = await aop.call('GET', `/api/v1/rounds/${round.id}/departments/${DEPT}/actuals`, undefined, 200, token);
  assert.equal(tab.values[salaries.row][salaries.col], said);
  const want = closed.values.map((row) => row.slice());
  want[salaries.row][salaries.col] = said;
  assert.deepEqual(tab.values, want, 'only the explanation changed');

  // Refresh writes what aop holds, over an older draft typed on the tab.
  log = mockOffice(clean, { actuals: oldTab(closed, closed.values[2][1], { 6000: 'an older draft' }) });
  await addin.signIn(link(Date.now() + 3600e3));
  const r = await addin.refresh();
  assert.equal(r.ok, true, r.message);
  const sheet = written(log, ACTUALS);
  assert.deepEqual(sheet.ranges[tab.range].values, tab.values);
  assert.doesNotMatch(r.message, /kept/);
  assert.deepEqual(unlocked(sheet), [...tab.inputs].sort());
});

test('Refresh writes the Actuals vs Plan tab when the Summary tab is missing, and reports an Actuals refusal', async () => {
  // aop answers these only in states the real round here does not reach,
  // so the answers of one endpoint at a time are replaced.
  const answer = (status, body) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
  const replacing = (which, status, body) => (url, init) => (new URL(url).pathname.endsWith(`/${which}`)
    ? Promise.resolve(answer(status, body)) : fetch(url, init));
  try {
    addin.configure({ fetch: replacing('summary', 404, { error: { code: 'not_found', message: 'no summary here' } }) });
    let log = mockOffice(clean);
    await addin.signIn(token);
    let r = await addin.refresh();
    assert.equal(r.ok, true, r.message);
    assert.deepEqual(r.tabs, [ACTUALS]);
    assert.match(r.message, /^The Actuals vs Plan tab shows the close of .*\. The Summary tab was not refreshed: no summary here$/);
    assert.deepEqual(log.deleted, []);
    assert.equal(written(log, ACTUALS).ranges[closed.range].values.length, closed.values.length);

    addin.configure({ fetch: replacing('actuals', 503, { error: { code: 'unavailable', message: 'try again later' } }) });
    log = mockOffice(clean);
    await addin.signIn(token);
    r = await addin.refresh();
    assert.equal(r.ok, false);
    assert.equal(r.status, 503);
    assert.deepEqual(r.tabs, ['Summary']);
    assert.match(r.message, /^The Summary tab shows .*\. The Actuals vs Plan tab was not refreshed: try again later$/);
    assert.deepEqual(log.added.map((x) => x.name), ['Summary']);
  } finally {
    addin.configure({ fetch: null });
  }
});

