'use strict';
// The Excel add-in's code (office/aop-excel.js, office/commands.js) under
// office-addin-mock in Node, against a real `aop serve`: the workbook
// Office hands over (getFileAsync) is the department's real .xlsx,
// downloaded from aop, or the same with a typed mistake in 'Plan'!H7.
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

let aop; let round; let token; let clean; let mistaken; let key;

/** withMistake types "about 40k" into an amount cell of the Plan sheet of an .xlsx. */
function withMistake(xlsx, cell) {
  const zip = new AdmZip(xlsx);
  const wb = zip.readAsText('xl/workbook.xml');
  const rid = wb.match(/<sheet name="Plan"[^>]*r:id="([^"]+)"/)[1];
  const rels = zip.readAsText('xl/_rels/workbook.xml.rels');
  const target = rels.match(new RegExp(`<Relationship[^>]*Id="${rid}"[^>]*Target="([^"]+)"`))
    || rels.match(new RegExp(`<Relationship[^>]*Target="([^"]+)"[^>]*Id="${rid}"`));
  const part = 'xl/' + target[1].replace(/^\/?xl\//, '');
  const xml = zip.readAsText(part);
  const re = new RegExp(`<c r="${cell}"( s="\\d+")?[^>]*?(/>|>.*?</c>)`);
  assert.match(xml, re, `${part} has ${cell}`);
  zip.updateFile(part, Buffer.from(xml.replace(re, `<c r="${cell}"$1 t="inlineStr"><is><t>about 40k</t></is></c>`)));
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
 * identity sheet holds identity; it answers a log of what the add-in did.
 */
function mockOffice(bytes, { identity } = {}) {
  const log = { selected: [], deleted: [], added: [], settings: {}, saved: 0 };
  const id = identity || ['kestrel-fy2027', DEPT, 'department', '1', String(round.id), 'key', 'structure', 'sig', '', `r${round.id}.${DEPT}`];
  const addedSheet = (name) => {
    const s = { name, ranges: {}, protected: false, activated: false };
    s.getRange = (a) => {
      const r = s.ranges[a] || { address: a, format: { font: {}, autofitColumns() { r.autofit = true; } } };
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
          missing: { isNullObject: true, position: 0 },
          getItemOrNullObject(name) { return name === '_aop' || name === 'Summary' ? this[name] : this.missing; },
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

test('Refresh writes the Summary tab from the summary endpoint', async () => {
  let log = mockOffice(clean);
  await addin.signIn(token);
  let r = await addin.refresh();
  assert.equal(r.status, 404, 'nothing consolidated yet');
  assert.match(r.message, /not been consolidated/);

  const started = await aop.call('POST', `/api/v1/rounds/${round.id}/consolidations`, undefined, 202);
  await aop.waitJob(started.job);
  const tab = await aop.call('GET', `/api/v1/rounds/${round.id}/departments/${DEPT}/summary`, undefined, 200, token);

  log = mockOffice(clean);
  await addin.signIn(link(Date.now() + 3600e3));
  r = await addin.refresh();
  assert.equal(r.ok, true, r.message);
  assert.deepEqual(log.deleted, ['Summary']);
  assert.equal(log.added.length, 1);
  const sheet = log.added[0];
  assert.equal(sheet.name, 'Summary');
  assert.equal(sheet.position, 1, 'where the old tab was');
  assert.ok(sheet.protected);
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
