/*
 * aop's Excel add-in: what its buttons do. The task pane (taskpane.js) and
 * the ribbon's commands (commands.js) both call these functions.
 *
 * - The workbook says whose it is on its hidden identity sheet (_aop):
 *   cycle, department, template, version and round in B3:B7, the webhook's
 *   sheet id in B12.
 * - The department head signs in once with their department token (aop_…)
 *   or the signed link from aop's e-mail; the add-in keeps it in the
 *   host's roaming settings where the host has them (Outlook does, Excel
 *   does not), else in the add-in origin's local storage — never in the
 *   workbook, which is sent to aop.
 * - Validate and Submit send the whole workbook (Office's getFileAsync) to
 *   the upload API; findings come back by sheet and cell, and the first
 *   error's cell is selected. Refresh writes the Summary tab from
 *   GET …/summary. Status reads GET /api/v1/rounds/{round}/departments/{dept}.
 *
 * The file runs in the task pane and the commands page (as the global
 * AopExcel) and under Node for the tests (as a CommonJS module).
 */
(function (root, factory) {
  if (typeof module === 'object' && module.exports) {
    module.exports = factory();
  } else {
    root.AopExcel = factory();
  }
})(typeof self !== 'undefined' ? self : this, function () {
  'use strict';

  var IDENTITY_SHEET = '_aop';
  var IDENTITY_RANGE = 'B3:B12';
  var AUTH_KEY = 'aop.auth';
  var LAST_RESULT_KEY = 'aop.lastResult';
  var XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  var SLICE_SIZE = 4 * 1024 * 1024;

  var options = { server: '', fetch: null, storage: null };
  var memory = {};

  /** configure sets the server's base URL (default: the page's own aop), fetch and storage (for tests). */
  function configure(o) {
    Object.keys(o || {}).forEach(function (k) { options[k] = o[k]; });
  }

  /** serverBase is the URL aop answers at: configured, or the one that served this page. */
  function serverBase() {
    if (options.server) return options.server.replace(/\/+$/, '');
    if (typeof location !== 'undefined' && location.href) {
      var i = location.href.indexOf('/addin/excel/');
      return i > 0 ? location.href.slice(0, i) : location.origin;
    }
    throw new Error('the add-in does not know where aop is: no server configured');
  }

  // ---- settings: the sign-in and the last result

  /** store is where the add-in keeps what it must remember, per user. */
  function store() {
    if (options.storage) return options.storage;
    var rs = typeof Office !== 'undefined' && Office.context && Office.context.roamingSettings;
    if (rs && typeof rs.get === 'function') {
      return {
        get: function (k) { var v = rs.get(k); return v === undefined ? null : v; },
        set: function (k, v) { rs.set(k, v); },
        remove: function (k) { rs.remove(k); },
        save: function () {
          return new Promise(function (resolve, reject) {
            rs.saveAsync(function (res) {
              if (res && res.status === 'failed') reject(new Error('the settings could not be saved: ' + (res.error && res.error.message)));
              else resolve();
            });
          });
        },
      };
    }
    if (typeof localStorage !== 'undefined') {
      return {
        get: function (k) { var v = localStorage.getItem(k); return v === null ? null : JSON.parse(v); },
        set: function (k, v) { localStorage.setItem(k, JSON.stringify(v)); },
        remove: function (k) { localStorage.removeItem(k); },
        save: function () { return Promise.resolve(); },
      };
    }
    return {
      get: function (k) { return k in memory ? memory[k] : null; },
      set: function (k, v) { memory[k] = v; },
      remove: function (k) { delete memory[k]; },
      save: function () { return Promise.resolve(); },
    };
  }

  /**
   * parseCredential reads what a department head pasted: a department token
   * (aop_…) or a signed link from aop's e-mail (…/rounds/{round}/departments/{dept}/…?expires=…&sig=…).
   */
  function parseCredential(text) {
    var t = String(text || '').trim();
    if (/^aop_\S+$/.test(t)) return { kind: 'token', token: t };
    var u;
    try {
      u = new URL(t);
    } catch (e) {
      throw new Error('Paste your department token (it starts with aop_) or the whole link from aop\'s e-mail.');
    }
    var m = u.pathname.match(/\/api\/v1\/rounds\/(\d+)\/departments\/([^/]+)/);
    var expires = u.searchParams.get('expires');
    var sig = u.searchParams.get('sig');
    if (!m || !expires || !sig) {
      throw new Error('That link is not one of aop\'s signed links: it needs …/rounds/{round}/departments/{department}/…?expires=…&sig=…');
    }
    return { kind: 'link', round: m[1], department: decodeURIComponent(m[2]), expires: expires, sig: sig };
  }

  /** signIn checks and keeps a token or link. */
  async function signIn(text) {
    var cred = parseCredential(text);
    var s = store();
    s.set(AUTH_KEY, cred);
    await s.save();
    return describeCredential(cred);
  }

  /** signOut forgets the sign-in. */
  async function signOut() {
    var s = store();
    s.remove(AUTH_KEY);
    await s.save();
  }

  /** credential is the kept sign-in, or null. */
  function credential() {
    var c = store().get(AUTH_KEY);
    return c && (c.kind === 'token' || c.kind === 'link') ? c : null;
  }

  function describeCredential(c) {
    if (!c) return 'Not signed in.';
    if (c.kind === 'token') return 'Signed in with a department token (' + c.token.slice(0, 8) + '…).';
    var until = new Date(Number(c.expires) * 1000);
    return 'Signed in with the link for ' + c.department + ' in round ' + c.round + ', valid until ' + until.toISOString().slice(0, 16).replace('T', ' ') + ' UTC.';
  }

  // ---- the workbook

  /** readIdentity reads whose workbook this is from its hidden identity sheet. */
  async function readIdentity() {
    return Excel.run(async function (context) {
      var sheet = context.workbook.worksheets.getItemOrNullObject(IDENTITY_SHEET);
      sheet.load('isNullObject');
      await context.sync();
      if (sheet.isNullObject) {
        throw new Error('This is not an aop planning workbook (it has no identity sheet). Open the workbook aop generated for your department.');
      }
      var range = sheet.getRange(IDENTITY_RANGE);
      range.load('values');
      await context.sync();
      var v = range.values.map(function (row) { return String(row[0] === null || row[0] === undefined ? '' : row[0]).trim(); });
      var id = { cycle: v[0], department: v[1], template: v[2], version: v[3], round: v[4], sheet: v[9] || '' };
      if (!id.department || !id.round) {
        throw new Error('This workbook has no round on its identity sheet: download your workbook from aop\'s round rather than using a file from `aop generate`.');
      }
      return id;
    });
  }

  /** workbookBytes returns the workbook as an .xlsx file (Office's getFileAsync, slice by slice). */
  function workbookBytes() {
    return new Promise(function (resolve, reject) {
      Office.context.document.getFileAsync(Office.FileType.Compressed, { sliceSize: SLICE_SIZE }, function (res) {
        if (res.status !== Office.AsyncResultStatus.Succeeded) {
          reject(new Error('Excel did not hand over the workbook: ' + (res.error && res.error.message)));
          return;
        }
        var file = res.value;
        var parts = [];
        var total = 0;
        var next = function (i) {
          if (i >= file.sliceCount) {
            file.closeAsync(function () {});
            var out = new Uint8Array(total);
            var at = 0;
            parts.forEach(function (p) { out.set(p, at); at += p.length; });
            resolve(out);
            return;
          }
          file.getSliceAsync(i, function (sr) {
            if (sr.status !== Office.AsyncResultStatus.Succeeded) {
              file.closeAsync(function () {});
              reject(new Error('Excel did not hand over part ' + (i + 1) + ' of the workbook: ' + (sr.error && sr.error.message)));
              return;
            }
            var part = Uint8Array.from(sr.value.data);
            parts.push(part);
            total += part.length;
            next(i + 1);
          });
        };
        next(0);
      });
    });
  }

  /** selectCell selects a finding's cell, so the department head sees the mistake. */
  async function selectCell(sheet, cell) {
    return Excel.run(async function (context) {
      var range = context.workbook.worksheets.getItem(sheet).getRange(cell);
      range.select();
      await context.sync();
    });
  }

  /** writeSummary writes the Summary tab from GET …/summary's answer, replacing the one there. */
  async function writeSummary(tab) {
    return Excel.run(async function (context) {
      var sheets = context.workbook.worksheets;
      var old = sheets.getItemOrNullObject(tab.sheet);
      old.load('isNullObject, position');
      await context.sync();
      var position = null;
      if (!old.isNullObject) {
        position = old.position;
        old.delete();
      }
      var ws = sheets.add(tab.sheet);
      if (position !== null) ws.position = position;
      if (tab.range) {
        var range = ws.getRange(tab.range);
        range.numberFormat = tab.number_formats;
        range.values = tab.values;
        range.format.autofitColumns();
      }
      (tab.bold || []).forEach(function (a) { ws.getRange(a).format.font.bold = true; });
      ws.protection.protect({ allowFormatColumns: true, allowFormatRows: true });
      ws.activate();
      await context.sync();
    });
  }

  // ---- calls to aop

  function deptPath(id, what) {
    var p = '/api/v1/rounds/' + encodeURIComponent(id.round) + '/departments/' + encodeURIComponent(id.department);
    return what ? p + '/' + what : p;
  }

  /** call sends one request to aop with the kept sign-in and answers { status, body }. */
  async function call(method, path, cred, body, extraHeaders) {
    var url = new URL(serverBase() + path);
    var headers = Object.assign({}, extraHeaders || {});
    if (cred.kind === 'token') {
      headers.Authorization = 'Bearer ' + cred.token;
    } else {
      url.searchParams.set('expires', cred.expires);
      url.searchParams.set('sig', cred.sig);
    }
    if (body !== undefined) headers['Content-Type'] = XLSX_TYPE;
    var f = options.fetch || fetch;
    var r;
    try {
      r = await f(url.toString(), { method: method, headers: headers, body: body });
    } catch (e) {
      throw new Error('aop cannot be reached at ' + serverBase() + ': ' + e.message);
    }
    var text = await r.text();
    var parsed = null;
    if (text && (r.headers.get('content-type') || '').indexOf('json') >= 0) parsed = JSON.parse(text);
    return { status: r.status, body: parsed, text: text };
  }

  /** refusal turns an error answer into a sentence for the department head. */
  function refusal(r) {
    var msg = r.body && r.body.error ? r.body.error.message : (r.text || ('HTTP ' + r.status));
    if (r.status === 401) return 'aop did not accept your sign-in: ' + msg + ' Sign in again with your department token or the latest link.';
    if (r.status === 403) return 'aop refused: ' + msg;
    return msg;
  }

  /** session is the identity and the sign-in, checked against each other. */
  async function session() {
    var cred = credential();
    if (!cred) throw new Error('Sign in first: open the aop pane (Status) and paste your department token or the link from aop\'s e-mail.');
    var id = await readIdentity();
    if (cred.kind === 'link' && (cred.round !== id.round || cred.department !== id.department)) {
      throw new Error('Your link is for ' + cred.department + ' in round ' + cred.round + ', but this workbook is ' + id.department + '\'s in round ' + id.round + '.');
    }
    return { id: id, cred: cred };
  }

  function firstError(findings) {
    var withCell = findings.filter(function (f) { return f.sheet && f.cell; });
    return withCell.filter(function (f) { return f.level === 'error'; })[0] || withCell[0] || null;
  }

  async function withFindings(result) {
    var f = firstError(result.findings);
    if (f) {
      await selectCell(f.sheet, f.cell);
      result.selected = { sheet: f.sheet, cell: f.cell };
    }
    return result;
  }

  function count(findings, level) {
    return findings.filter(function (f) { return f.level === level; }).length;
  }

  /** validate checks the workbook with aop without storing it. */
  async function validate() {
    var s = await session();
    var data = await workbookBytes();
    var r = await call('POST', deptPath(s.id, 'validate'), s.cred, data);
    if (r.status !== 200) return remember({ action: 'validate', ok: false, status: r.status, message: refusal(r), findings: [] });
    var v = r.body;
    var errors = count(v.findings, 'error');
    var message = v.refused ? 'aop cannot use this workbook (' + v.problem + ').'
      : errors ? errors + ' mistake' + (errors > 1 ? 's' : '') + ' to fix before you submit.'
        : 'No mistakes found' + (v.findings.length ? ' (' + v.findings.length + ' warning' + (v.findings.length > 1 ? 's' : '') + ').' : '.');
    return remember(await withFindings({ action: 'validate', ok: !v.refused && errors === 0, status: r.status, message: message, findings: v.findings }));
  }

  function randomKey() {
    if (typeof crypto !== 'undefined' && crypto.randomUUID) return crypto.randomUUID();
    return String(Date.now()) + '-' + Math.random().toString(36).slice(2);
  }

  /** submit sends the workbook to aop as the department's plan. */
  async function submit() {
    var s = await session();
    var data = await workbookBytes();
    var r = await call('POST', deptPath(s.id, 'upload'), s.cred, data, { 'Idempotency-Key': 'excel-' + randomKey() });
    if (r.status === 201) {
      return remember({ action: 'submit', ok: true, status: r.status, submission: r.body.id, findings: r.body.findings || [],
        message: 'Submitted: aop accepted your plan (submission ' + r.body.id + ').' });
    }
    if (r.status === 422 && r.body && r.body.findings) {
      return remember(await withFindings({ action: 'submit', ok: false, status: r.status, submission: r.body.id, findings: r.body.findings,
        message: 'aop did not accept this plan: ' + count(r.body.findings, 'error') + ' mistake(s) to fix, then submit again.' }));
    }
    return remember({ action: 'submit', ok: false, status: r.status, message: refusal(r), findings: [] });
  }

  /** refresh writes the Summary tab from aop's latest consolidation. */
  async function refresh() {
    var s = await session();
    var r = await call('GET', deptPath(s.id, 'summary'), s.cred);
    if (r.status !== 200) return remember({ action: 'refresh', ok: false, status: r.status, message: refusal(r), findings: [] });
    await writeSummary(r.body);
    return remember({ action: 'refresh', ok: true, status: r.status, findings: [],
      message: 'The ' + r.body.sheet + ' tab shows aop\'s consolidation ' + r.body.as_of + '.' });
  }

  /** status reads where the department stands in the round. */
  async function status() {
    var s = await session();
    var r = await call('GET', deptPath(s.id), s.cred);
    if (r.status !== 200) return { action: 'status', ok: false, status: r.status, message: refusal(r), findings: [] };
    var d = r.body;
    var words = { not_started: 'not started', in_progress: 'in progress', submitted: 'submitted', approved: 'approved', sent_back: 'sent back' };
    var message = s.id.department + ' in round ' + s.id.round + ': ' + (words[d.status] || d.status) + (d.locked ? ', locked' : '') +
      (d.comment ? '. Finance says: ' + d.comment : '.');
    return { action: 'status', ok: true, status: r.status, message: message, state: d, findings: [] };
  }

  /** remember keeps an action's result for the task pane (a ribbon command has no window of its own). */
  function remember(result) {
    try {
      var st = store();
      st.set(LAST_RESULT_KEY, Object.assign({ at: new Date().toISOString() }, result));
      st.save().catch(function () {});
    } catch (e) { /* the result is still returned */ }
    return result;
  }

  function lastResult() {
    return store().get(LAST_RESULT_KEY);
  }

  return {
    configure: configure,
    serverBase: serverBase,
    parseCredential: parseCredential,
    signIn: signIn,
    signOut: signOut,
    credential: credential,
    describeCredential: describeCredential,
    readIdentity: readIdentity,
    workbookBytes: workbookBytes,
    selectCell: selectCell,
    writeSummary: writeSummary,
    validate: validate,
    submit: submit,
    refresh: refresh,
    status: status,
    lastResult: lastResult,
    remember: remember,
    IDENTITY_SHEET: IDENTITY_SHEET,
  };
});
