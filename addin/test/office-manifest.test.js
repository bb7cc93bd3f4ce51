'use strict';
// The Excel add-in's manifest as aop serves it: well-formed, valid against
// our offline subset of Microsoft's manifest schema (office/schema/), and
// listing only URLs under the configured public URL.
const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { validateXML } = require('xmllint-wasm');
const { startAop } = require('./support/aop');

const schemaDir = path.join(__dirname, '..', 'office', 'schema');
const read = (f) => fs.readFileSync(path.join(schemaDir, f), 'utf8');

let aop;
before(async () => { aop = await startAop(); });
after(async () => { if (aop) await aop.stop(); });

async function validate(xml) {
  return validateXML({
    xml: [{ fileName: 'manifest.xml', contents: xml }],
    schema: [read('officeapp.xsd')],
    preload: [{ fileName: 'versionoverrides.xsd', contents: read('versionoverrides.xsd') },
      { fileName: 'basictypes.xsd', contents: read('basictypes.xsd') }],
  });
}

test('the served manifest is valid against the schema and lists only URLs under public_url', async () => {
  const r = await aop.api('GET', '/addin/excel/manifest.xml', undefined, '');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^application\/xml/);
  const xml = r.text;
  const res = await validate(xml);
  assert.deepEqual(res.errors, [], res.rawOutput);
  assert.ok(res.valid);

  const urls = [...xml.matchAll(/https?:\/\/[^"<\s]+/g)].map((m) => m[0])
    .filter((u) => !u.startsWith('http://schemas.microsoft.com/') && !u.startsWith('http://www.w3.org/'));
  assert.ok(urls.length >= 10, urls.join(' '));
  for (const u of urls) assert.ok(u === aop.url || u.startsWith(aop.url + '/'), `${u} is not under ${aop.url}`);
  // Every URL it lists answers.
  for (const u of new Set(urls.filter((x) => x !== aop.url))) {
    const got = await fetch(u);
    assert.equal(got.status, 200, u);
  }
  // Each ExecuteFunction names a function commands.js associates.
  const commands = fs.readFileSync(path.join(__dirname, '..', 'office', 'commands.js'), 'utf8');
  for (const m of xml.matchAll(/<FunctionName>([^<]+)<\/FunctionName>/g)) {
    assert.match(commands, new RegExp(`\\b${m[1]}:`), m[1]);
  }
});

test('the schema refuses a broken manifest', async () => {
  const r = await aop.api('GET', '/addin/excel/manifest.xml', undefined, '');
  for (const [what, broken] of [
    ['an unknown permission', r.text.replace('ReadWriteDocument', 'Everything')],
    ['a resource id over 32 characters', r.text.replace(/resid="Commands.Url"/, 'resid="Commands.Url.That.Is.Far.Too.Long.For.Office"')],
    ['a missing DefaultSettings', r.text.replace(/<DefaultSettings>[\s\S]*?<\/DefaultSettings>/, '')],
    ['an unknown action type', r.text.replace('xsi:type="ExecuteFunction"', 'xsi:type="RunMacro"')],
    // Limits of Microsoft's schema the subset keeps.
    ['a locale that is no culture name', r.text.replace('<DefaultLocale>en-US</DefaultLocale>', '<DefaultLocale>english</DefaultLocale>')],
    ['a requirement set version of one part', r.text.replace('MinVersion="1.7"', 'MinVersion="1"')],
    ['a missing LearnMoreUrl', r.text.replace(/<LearnMoreUrl [^>]*\/>/, '')],
  ]) {
    const res = await validate(broken);
    assert.equal(res.valid, false, what);
  }
  const notXML = await validate(r.text.replace('</OfficeApp>', ''));
  assert.equal(notXML.valid, false, 'not well-formed');
});
