'use strict';
// A documented stub of the Apps Script services the Planning menu uses,
// to run addin/appsscript/*.gs in Node. What it stands in for:
//
// - UrlFetchApp.fetch(url, params): a real, synchronous HTTP request, as in
//   Apps Script (a child node process makes it; see syncfetch.js). It
//   honours method, headers, contentType, payload and muteHttpExceptions;
//   every call is recorded in gas.fetches.
// - SpreadsheetApp: the active spreadsheet is a real one in the Sheets
//   emulator, read as the person at the keyboard (user) through the Sheets
//   API: getActiveSpreadsheet().getId(), getSheetByName(), getActiveSheet(),
//   createDeveloperMetadataFinder().withKey().find(), Sheet.getRange(a1)
//   .getValues() / getA1Notation() / activate(). Selecting a cell records it
//   in gas.selection. getUi() builds menus (gas.menus) and sidebars
//   (gas.sidebars: { title, html }), and records alerts (gas.alerts).
// - PropertiesService: script and document properties in memory
//   (gas.scriptProperties, gas.documentProperties: Maps).
// - ScriptApp.getIdentityToken(): options.identityToken (null by default).
// - HtmlService: createHtmlOutputFromFile(name) reads name.html beside the
//   scripts; createHtmlOutput(html); setTitle(); getContent().
// - Utilities: computeDigest (SHA_256, MD5, SHA_1), computeHmacSha256Signature,
//   computeHmacSignature, base64Encode/Decode, getUuid, sleep (blocks, as
//   in Apps Script), with Apps Script's signed bytes (-128…127).
// - Logger.log and console: into gas.logs.
//
//   const gas = loadScript({ user, spreadsheetId, emulatorUrl,
//     scriptProperties: { AOP_URL: aop.url } });
//   const view = gas.run('validatePlan');

const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');

const scriptDir = path.resolve(__dirname, '..', '..', 'appsscript');

/** syncFetch makes one HTTP request and blocks until it is answered. */
function syncFetch(url, { method = 'GET', headers = {}, body } = {}) {
  const input = JSON.stringify({ url, method, headers, body: body === undefined ? undefined : Buffer.from(body).toString('base64') });
  const out = JSON.parse(execFileSync(process.execPath, [path.join(__dirname, 'syncfetch.js')], { input, maxBuffer: 256 << 20 }).toString());
  if (out.error) throw new Error(`Exception: Address unavailable: ${url} (${out.error})`);
  return { status: out.status, headers: out.headers, body: Buffer.from(out.body, 'base64') };
}

/** signed turns bytes into Apps Script's byte arrays of signed numbers. */
const signed = (buf) => Array.from(buf, (b) => (b > 127 ? b - 256 : b));
const bytesOf = (v) => (Array.isArray(v) ? Buffer.from(v.map((b) => (b + 256) % 256)) : Buffer.from(String(v), 'utf8'));

class Properties {
  constructor(map) { this.map = map; }
  getProperty(k) { return this.map.has(k) ? this.map.get(k) : null; }
  setProperty(k, v) { this.map.set(k, String(v)); return this; }
  setProperties(o) { for (const [k, v] of Object.entries(o)) this.map.set(k, String(v)); return this; }
  deleteProperty(k) { this.map.delete(k); return this; }
  getProperties() { return Object.fromEntries(this.map); }
}

/** quote writes a sheet name for an A1 range. */
const quote = (name) => `'${name.replace(/'/g, "''")}'`;

/**
 * loadScript loads the .gs files into a fresh context with the stubs.
 * Options: user (the person's e-mail), spreadsheetId, emulatorUrl,
 * scriptProperties, documentProperties, identityToken, dir.
 */
function loadScript(opts = {}) {
  const gas = {
    fetches: [], menus: [], sidebars: [], alerts: [], logs: [], selection: null,
    scriptProperties: new Map(Object.entries(opts.scriptProperties || {})),
    documentProperties: new Map(Object.entries(opts.documentProperties || {})),
  };
  const dir = opts.dir || scriptDir;
  let tokenCache = null;

  // The emulator's Sheets API as the user.
  const sheetsApi = (method, apiPath) => {
    if (!opts.emulatorUrl) throw new Error('gas stub: no emulatorUrl, so no spreadsheet');
    if (!tokenCache) {
      const r = syncFetch(`${opts.emulatorUrl}/_emulator/token?email=${encodeURIComponent(opts.user)}`);
      tokenCache = JSON.parse(r.body.toString()).access_token;
    }
    const r = syncFetch(opts.emulatorUrl + apiPath, { method, headers: { Authorization: `Bearer ${tokenCache}` } });
    if (r.status !== 200) throw new Error(`Exception: ${r.body.toString()}`);
    return JSON.parse(r.body.toString());
  };
  const base = () => `/v4/spreadsheets/${opts.spreadsheetId}`;

  class Range {
    constructor(sheet, a1) { this.sheet = sheet; this.a1 = a1.toUpperCase(); }
    getA1Notation() { return this.a1; }
    getSheet() { return this.sheet; }
    getValues() {
      const out = sheetsApi('GET', `${base()}/values/${encodeURIComponent(`${quote(this.sheet.name)}!${this.a1}`)}?valueRenderOption=UNFORMATTED_VALUE`);
      const rows = out.values || [];
      // Apps Script answers the whole rectangle, '' for empty cells.
      const [from, to = from] = this.a1.split(':');
      const rc = (ref) => { const m = ref.match(/^([A-Z]+)(\d+)$/); let c = 0; for (const ch of m[1]) c = c * 26 + ch.charCodeAt(0) - 64; return [Number(m[2]), c]; };
      const [r1, c1] = rc(from); const [r2, c2] = rc(to);
      return Array.from({ length: r2 - r1 + 1 }, (_, i) => Array.from({ length: c2 - c1 + 1 }, (_, j) => {
        const v = (rows[i] || [])[j];
        return v === undefined ? '' : v;
      }));
    }
    getValue() { return this.getValues()[0][0]; }
    activate() { gas.selection = { sheet: this.sheet.name, a1: this.a1 }; return this; }
  }
  class Sheet {
    constructor(name) { this.name = name; }
    getName() { return this.name; }
    getRange(a1) { return new Range(this, a1); }
    activate() { gas.activeSheet = this.name; return this; }
  }
  const spreadsheet = {
    getId: () => opts.spreadsheetId,
    getSheets: () => (sheetsApi('GET', `${base()}?fields=sheets.properties`).sheets || []).map((s) => new Sheet(s.properties.title)),
    getSheetByName: (name) => spreadsheet.getSheets().find((s) => s.getName() === name) || null,
    getActiveSheet: () => new Sheet(gas.activeSheet || spreadsheet.getSheets()[0].getName()),
    createDeveloperMetadataFinder: () => {
      let key = null;
      const finder = {
        withKey: (k) => { key = k; return finder; },
        find: () => (sheetsApi('GET', `${base()}?fields=developerMetadata`).developerMetadata || [])
          .filter((m) => key === null || m.metadataKey === key)
          .map((m) => ({ getKey: () => m.metadataKey, getValue: () => m.metadataValue })),
      };
      return finder;
    },
  };

  const menu = (name, addon) => {
    const m = { name, addon, items: [] };
    const api = {
      addItem: (caption, fn) => { m.items.push({ caption, fn }); return api; },
      addSeparator: () => { m.items.push({ separator: true }); return api; },
      addSubMenu: () => api,
      addToUi: () => { gas.menus.push(m); },
    };
    return api;
  };
  const ui = {
    createMenu: (name) => menu(name, false),
    createAddonMenu: () => menu('(add-on)', true),
    showSidebar: (out) => { gas.sidebars.push({ title: out.title, html: out.getContent() }); },
    alert: (...args) => { gas.alerts.push(args); return 'OK'; },
  };

  const htmlOutput = (html) => {
    const out = { title: '', getContent: () => html, setTitle: (t) => { out.title = t; return out; }, setWidth: () => out, setHeight: () => out };
    return out;
  };

  const response = (r) => ({
    getResponseCode: () => r.status,
    getContentText: () => r.body.toString('utf8'),
    getContent: () => signed(r.body),
    getHeaders: () => r.headers,
    getAllHeaders: () => r.headers,
  });

  const sandbox = {
    SpreadsheetApp: { getActiveSpreadsheet: () => spreadsheet, getActive: () => spreadsheet, getUi: () => ui },
    UrlFetchApp: {
      fetch(url, params = {}) {
        const method = (params.method || 'get').toUpperCase();
        const headers = { ...(params.headers || {}) };
        if (params.payload !== undefined && method !== 'GET') {
          headers['Content-Type'] = params.contentType || 'application/x-www-form-urlencoded';
        }
        const body = params.payload !== undefined && method !== 'GET' ? params.payload : undefined;
        const r = syncFetch(url, { method, headers, body });
        gas.fetches.push({ url, method, headers, payload: body, status: r.status, text: r.body.toString('utf8') });
        if (r.status >= 400 && !params.muteHttpExceptions) {
          throw new Error(`Exception: Request failed for ${url} returned code ${r.status}. Truncated server response: ${r.body.toString().slice(0, 200)}`);
        }
        return response(r);
      },
    },
    ScriptApp: { getIdentityToken: () => opts.identityToken || null, AuthMode: { NONE: 'NONE', LIMITED: 'LIMITED', FULL: 'FULL' } },
    PropertiesService: {
      getScriptProperties: () => new Properties(gas.scriptProperties),
      getDocumentProperties: () => new Properties(gas.documentProperties),
      getUserProperties: () => new Properties(gas.userProperties || (gas.userProperties = new Map())),
    },
    HtmlService: {
      createHtmlOutputFromFile: (name) => htmlOutput(fs.readFileSync(path.join(dir, `${name}.html`), 'utf8')),
      createHtmlOutput: (html) => htmlOutput(html),
    },
    Utilities: {
      DigestAlgorithm: { SHA_256: 'sha256', SHA_1: 'sha1', MD5: 'md5' },
      Charset: { UTF_8: 'utf8', US_ASCII: 'ascii' },
      MacAlgorithm: { HMAC_SHA_256: 'sha256', HMAC_SHA_1: 'sha1' },
      computeDigest: (alg, value) => signed(crypto.createHash(alg).update(bytesOf(value)).digest()),
      computeHmacSha256Signature: (value, key) => signed(crypto.createHmac('sha256', bytesOf(key)).update(bytesOf(value)).digest()),
      computeHmacSignature: (alg, value, key) => signed(crypto.createHmac(alg, bytesOf(key)).update(bytesOf(value)).digest()),
      base64Encode: (v) => bytesOf(v).toString('base64'),
      base64Decode: (s) => signed(Buffer.from(s, 'base64')),
      getUuid: () => crypto.randomUUID(),
      sleep: (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms),
    },
    Logger: { log: (...a) => { gas.logs.push(a.join(' ')); } },
    console: { log: (...a) => gas.logs.push(a.join(' ')), error: (...a) => gas.logs.push(a.join(' ')), warn: (...a) => gas.logs.push(a.join(' ')) },
  };
  const context = vm.createContext(sandbox);
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.gs')).sort()) {
    vm.runInContext(fs.readFileSync(path.join(dir, file), 'utf8'), context, { filename: path.join(dir, file) });
  }
  gas.context = context;
  /** run calls one of the script's global functions, as a menu item or google.script.run would; an object answered is copied as JSON, as google.script.run does. */
  gas.run = (name, ...args) => {
    if (typeof context[name] !== 'function') throw new Error(`the script has no function ${name}`);
    const out = context[name](...args);
    // Objects cross back from the script's realm as plain JSON values.
    return out !== null && typeof out === 'object' ? JSON.parse(JSON.stringify(out)) : out;
  };
  return gas;
}

module.exports = { loadScript, syncFetch, scriptDir };
