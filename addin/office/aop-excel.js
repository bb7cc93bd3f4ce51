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
 *   error's cell is selected. Status reads
 *   GET /api/v1/rounds/{round}/departments/{dept}.
 * - Refresh writes the Summary tab from GET …/summary and, once finance
 *   has closed a month, the Actuals vs Plan tab from GET …/actuals. Both
 *   tabs are protected; the Actuals tab's explanation cells (its inputs)
 *   stay open for typing, and an explanation typed there but not yet
 *   submitted is put back when the tab is written again for the same
 *   month.
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
  var SUMMARY_SHEET = 'Summary';
  // The Actuals vs Plan tab: B3 holds the label of the closed month, and
  // each account's block starts with its code in column A.
  var ACTUALS_SHEET = 'Actuals vs Plan';
  var ACTUALS_CLOSE_CELL = 'B3';
  var ACTUALS_CODE_COLUMN = 1; // A
  // Input cells look as in aop's own workbooks: the department
  // template's input colour (pale yellow, which the Actuals tab's note
  // names) and, for the explanation column, about 60 characters' width in
  // points (autofit leaves merged cells out).
  var INPUT_FILL = '#FFF2CC';
  var INPUT_WIDTH = 320;
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

  // ---- A1 addresses

  /** cellRef reads an A1 cell address ("T11", or a range's top-left cell) as 1-based row and column. */
  function cellRef(a1) {
    var m = String(a1).split(':')[0].replace(/\$/g, '').match(/^([A-Za-z]+)(\d+)$/);
    if (!m) throw new Error('aop sent a cell address the add-in cannot read: ' + a1);
    var col = 0;
    m[1].toUpperCase().split('').forEach(function (ch) { col = col * 26 + ch.charCodeAt(0) - 64; });
    return { row: Number(m[2]), col: col };
  }

  /** cellAt is the value of a 1-based row and column in a block of values whose top-left cell is at origin, or ''. */
  function cellAt(values, origin, row, col) {
    var r = values[row - origin.row];
    var v = r ? r[col - origin.col] : undefined;
    return v === null || v === undefined ? '' : v;
  }

  /** text is a cell's value as trimmed text. */
  function text(v) {
    return String(v === null || v === undefined ? '' : v).trim();
  }

  /**
   * typedExplanations reads what is typed in the explanation column(s) of
   * an Actuals vs Plan tab's used range: the closed month's label (B3) and,
   * by account code (column A) and column, the non-empty texts. Codes are
   * compared as text: Excel keeps a code like 6000 as a number.
   */
  function typedExplanations(used, columns) {
    var origin = { row: used.rowIndex + 1, col: used.columnIndex + 1 };
    var close = cellRef(ACTUALS_CLOSE_CELL);
    var out = { label: text(cellAt(used.values, origin, close.row, close.col)), texts: {} };
    used.values.forEach(function (_, i) {
      var row = origin.row + i;
      var code = text(cellAt(used.values, origin, row, ACTUALS_CODE_COLUMN));
      if (!code) return;
      columns.forEach(function (col) {
        var typed = cellAt(used.values, origin, row, col);
        if (text(typed)) out.texts[code + '\u0000' + col] = String(typed);
      });
    });
    return out;
  }

  /**
   * withTyped returns the tab's values with the explanations kept from the
   * old tab put back: only when both tabs are of the same closed month,
   * into the input cell of the same account, and where aop holds nothing
   * for that cell (what aop holds was submitted, and is newer). It also
   * answers how many it put back.
   */
  function withTyped(tab, typed) {
    var origin = cellRef(tab.range);
    var close = cellRef(ACTUALS_CLOSE_CELL);
    var values = tab.values.map(function (row) { return row.slice(); });
    var kept = 0;
    if (!typed.label || typed.label !== text(cellAt(values, origin, close.row, close.col))) {
      return { values: values, kept: kept }; // another month: its explanations are not this month's
    }
    (tab.inputs || []).forEach(function (a) {
      var at = cellRef(a);
      var code = text(cellAt(values, origin, at.row, ACTUALS_CODE_COLUMN));
      var old = typed.texts[code + '\u0000' + at.col];
      if (!code || old === undefined || text(cellAt(values, origin, at.row, at.col)) !== '') return;
      values[at.row - origin.row][at.col - origin.col] = old;
      kept++;
    });
    return { values: values, kept: kept };
  }

  /**
   * writeTab writes a tab from aop's answer (GET …/summary or …/actuals:
   * values, number formats, bold cells and input ranges), replacing the
   * one there at its place; a new tab goes after the tab named after, when
   * there is one. The tab is protected except for its input ranges, which
   * are unlocked, merged, wrapped and filled. Replacing the Actuals vs Plan
   * tab keeps the explanations typed on it and not yet submitted
   * (withTyped). It answers { kept }: how many such explanations it put
   * back.
   */
  async function writeTab(tab, after) {
    return Excel.run(async function (context) {
      var sheets = context.workbook.worksheets;
      var inputs = tab.inputs || [];
      var old = sheets.getItemOrNullObject(tab.sheet);
      old.load('isNullObject, position');
      var anchor = after ? sheets.getItemOrNullObject(after) : null;
      if (anchor) anchor.load('isNullObject, position');
      await context.sync();
      var values = tab.values;
      var kept = 0;
      var position = null;
      if (!old.isNullObject) {
        position = old.position;
        if (tab.sheet === ACTUALS_SHEET && inputs.length && tab.range) {
          var used = old.getUsedRange();
          used.load('values, rowIndex, columnIndex');
          await context.sync();
          var columns = inputs.map(function (a) { return cellRef(a).col; })
            .filter(function (c, i, all) { return all.indexOf(c) === i; });
          var w = withTyped(tab, typedExplanations(used, columns));
          values = w.values;
          kept = w.kept;
        }
        old.delete();
      } else if (anchor && !anchor.isNullObject) {
        position = anchor.position + 1;
      }
      var ws = sheets.add(tab.sheet);
      if (position !== null) ws.position = position;
      if (tab.range) {
        var range = ws.getRange(tab.range);
        range.numberFormat = tab.number_formats;
        range.values = values;
      }
      (tab.bold || []).forEach(function (a) { ws.getRange(a).format.font.bold = true; });
      inputs.forEach(function (a) {
        var input = ws.getRange(a);
        if (a.indexOf(':') >= 0) input.merge(false);
        input.format.wrapText = true;
        input.format.fill.color = INPUT_FILL;
        input.format.protection.locked = false;
      });
      if (tab.range) ws.getRange(tab.range).format.autofitColumns();
      inputs.forEach(function (a) { ws.getRange(a).format.columnWidth = INPUT_WIDTH; });
      ws.protection.protect({ allowFormatColumns: true, allowFormatRows: true });
      ws.activate();
      await context.sync();
      return { kept: kept };
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
      // explained counts the explanations the Actuals vs Plan tab held;
      // aop keeps them even when the plan beside them is approved.
      var explained = r.body.explained || 0;
      return remember({ action: 'submit', ok: true, status: r.status, submission: r.body.id, explained: explained, findings: r.body.findings || [],
        message: 'Submitted: aop accepted your plan' + (explained ? ' and ' + (explained === 1 ? 'your explanation' : 'your ' + explained + ' explanations') : '') +
          ' (submission ' + r.body.id + ').' });
    }
    if (r.status === 422 && r.body && r.body.findings) {
      return remember(await withFindings({ action: 'submit', ok: false, status: r.status, submission: r.body.id, findings: r.body.findings,
        message: 'aop did not accept this plan: ' + count(r.body.findings, 'error') + ' mistake(s) to fix, then submit again.' }));
    }
    return remember({ action: 'submit', ok: false, status: r.status, message: refusal(r), findings: [] });
  }

  /** closeLabel is the closed month an Actuals vs Plan tab shows (its B3), or its date. */
  function closeLabel(tab) {
    var close = cellRef(ACTUALS_CLOSE_CELL);
    var label = tab.range ? text(cellAt(tab.values, cellRef(tab.range), close.row, close.col)) : '';
    return label ? 'the close of ' + label : 'aop\'s latest close ' + tab.as_of;
  }

  /**
   * refresh writes the Summary tab from aop's latest consolidation and the
   * Actuals vs Plan tab from its latest close. Either may not exist yet
   * (404): a round is consolidated before a month is closed against it,
   * so before the first close only the Summary tab is written.
   */
  async function refresh() {
    var s = await session();
    var sum = await call('GET', deptPath(s.id, 'summary'), s.cred);
    if (sum.status !== 200 && sum.status !== 404) {
      return remember({ action: 'refresh', ok: false, status: sum.status, message: refusal(sum), findings: [], tabs: [] });
    }
    var written = [];
    var said = [];
    if (sum.status === 200) {
      await writeTab(sum.body);
      written.push(sum.body.sheet);
      said.push('The ' + sum.body.sheet + ' tab shows aop\'s consolidation ' + sum.body.as_of);
    }
    var act = await call('GET', deptPath(s.id, 'actuals'), s.cred);
    if (act.status === 200) {
      var w = await writeTab(act.body, SUMMARY_SHEET);
      written.push(act.body.sheet);
      said.push((said.length ? 'the ' : 'The ') + act.body.sheet + ' tab shows ' + closeLabel(act.body));
      var message = said.join('; ') + '.';
      if (w.kept) {
        message += ' ' + (w.kept === 1 ? 'The explanation' : 'The ' + w.kept + ' explanations') + ' you typed there and have not submitted yet ' +
          (w.kept === 1 ? 'is' : 'are') + ' kept: Submit to send ' + (w.kept === 1 ? 'it' : 'them') + ' to aop.';
      }
      if (sum.status === 404) message += ' The ' + SUMMARY_SHEET + ' tab was not refreshed: ' + refusal(sum);
      return remember({ action: 'refresh', ok: true, status: act.status, message: message, findings: [], tabs: written });
    }
    if (act.status === 404) {
      if (sum.status === 404) return remember({ action: 'refresh', ok: false, status: sum.status, message: refusal(sum), findings: [], tabs: [] });
      return remember({ action: 'refresh', ok: true, status: sum.status, findings: [], tabs: written,
        message: said.join('; ') + '. Only the ' + SUMMARY_SHEET + ' tab was refreshed: finance has not closed a month against this round yet.' });
    }
    return remember({ action: 'refresh', ok: false, status: act.status, findings: [], tabs: written,
      message: (said.length ? said.join('; ') + '. ' : '') + 'The ' + ACTUALS_SHEET + ' tab was not refreshed: ' + refusal(act) });
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
    writeTab: writeTab,
    validate: validate,
    submit: submit,
    refresh: refresh,
    status: status,
    lastResult: lastResult,
    remember: remember,
    IDENTITY_SHEET: IDENTITY_SHEET,
    ACTUALS_SHEET: ACTUALS_SHEET,
  };
});
