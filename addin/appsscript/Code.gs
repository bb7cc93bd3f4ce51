/**
 * The Planning menu of a department's spreadsheet: Validate, Submit,
 * Refresh summary, Round status and Help, each a call to aop's webhook
 * (see /api/v1/openapi.json, tag "webhook"). Findings show in a sidebar
 * whose links select the offending cell. Long work (reading the whole
 * spreadsheet for a submission, rewriting the Summary tab) answers 202 and
 * a job; the menu waits for it briefly and otherwise leaves aop to finish,
 * since aop writes the sheet itself.
 *
 * The same code runs as the script bound to the master template (signed
 * with the spreadsheet's secret) and as the Workspace add-on (Google
 * identity token); Config.gs says which.
 */

/** Rows of the hidden identity sheet that hold the webhook's sheet id and secret (column B). */
var AOP_IDENTITY_SHEET = '_aop';
var AOP_PROPERTY_SHEET = 'aop.sheet';
var AOP_PROPERTY_SECRET = 'aop.secret';
/** How long the menu waits for aop's jobs before leaving them to finish, in ms. */
var AOP_JOB_WAIT_MS = 25000;

/** onOpen adds the Planning menu (a simple trigger: it calls nothing outside). */
function onOpen(e) {
  var ui = SpreadsheetApp.getUi();
  var menu = aopSetting_('AOP_AUTH') === 'identity' ? ui.createAddonMenu() : ui.createMenu('Planning');
  menu.addItem('Validate', 'validatePlan')
    .addItem('Submit', 'submitPlan')
    .addItem('Refresh summary', 'refreshSummary')
    .addItem('Round status', 'showRoundStatus')
    .addSeparator()
    .addItem('Help', 'showHelp')
    .addToUi();
}

/** onInstall adds the menu when the add-on is installed from the Marketplace. */
function onInstall(e) {
  onOpen(e);
}

/** validatePlan checks what is typed now and lists the findings; nothing is stored. */
function validatePlan() {
  return aopShow_(validateView_());
}

/** validateView_ is the sidebar's content after a validation. */
function validateView_() {
  var r = aopCall_('POST', '/api/v1/webhook/validate', '{}');
  if (r.error) return r.error;
  return findingsView_(r.body, 'Validate');
}

/**
 * submitPlan asks aop to read the spreadsheet as the department's
 * submission, waits for the job for a while, and shows the outcome: aop's
 * status for the department, with the findings when it did not accept.
 */
function submitPlan() {
  var r = aopCall_('POST', '/api/v1/webhook/submit', '{}');
  if (r.error) return aopShow_(r.error);
  var job = waitJob_(r.body.job);
  if (job.error) return aopShow_(job.error);
  if (!job.done) {
    return aopShow_({ title: 'Submit', level: 'info', job: r.body.job,
      summary: 'aop is reading your plan (job ' + r.body.job + '). Look at Round status in a minute.', findings: [] });
  }
  var st = aopCall_('GET', '/api/v1/webhook/status', '');
  if (st.error) return aopShow_(st.error);
  var dept = (st.body.departments || [])[0] || {};
  if (dept.status === 'submitted' || dept.status === 'approved') {
    return aopShow_({ title: 'Submit', level: 'ok', job: r.body.job, status: dept.status,
      summary: 'aop accepted your plan for ' + st.body.round.name + '.', findings: [] });
  }
  var view = validateView_();
  view.title = 'Submit';
  view.status = dept.status;
  view.summary = 'aop did not accept your plan. ' + (view.summary || '');
  return aopShow_(view);
}

/** refreshSummary asks aop to rewrite the Summary tab (and the inputs' lock) from the stored plan. */
function refreshSummary() {
  var r = aopCall_('POST', '/api/v1/webhook/refresh', '');
  if (r.error) return aopShow_(r.error);
  var job = waitJob_(r.body.job);
  if (job.error) return aopShow_(job.error);
  return aopShow_({ title: 'Refresh summary', level: job.done ? 'ok' : 'info', job: r.body.job, findings: [],
    summary: job.done ? 'aop rewrote your Summary tab.' : 'aop is rewriting your Summary tab (job ' + r.body.job + '); it appears in a minute.' });
}

/** showRoundStatus shows the round, its due date and the department's status. */
function showRoundStatus() {
  var r = aopCall_('GET', '/api/v1/webhook/status', '');
  if (r.error) return aopShow_(r.error);
  var round = r.body.round;
  var dept = (r.body.departments || [])[0] || {};
  var words = { not_started: 'not started', in_progress: 'in progress: the last submission was not accepted',
    submitted: 'submitted', sent_back: 'sent back', approved: 'approved' };
  var lines = [round.name + ' (' + round.state + '), due ' + String(round.due).slice(0, 10) + '.',
    dept.department + ': ' + (words[dept.status] || dept.status) + (dept.locked ? ', closed for changes' : '') + '.'];
  if (dept.comment) lines.push('Finance: ' + dept.comment);
  return aopShow_({ title: 'Round status', level: 'info', status: dept.status, summary: lines.join(' '), findings: [] });
}

/** showHelp explains the menu. */
function showHelp() {
  return aopShow_({ title: 'Help', level: 'info', findings: [], summary:
    'Type your plan in the yellow cells. Validate checks it and lists what to fix; click a finding to go to its cell. ' +
    'Submit sends it to finance; aop reads the whole spreadsheet. Refresh summary rewrites the Summary tab from what ' +
    'finance has. Round status says where your plan stands.' });
}

/** selectCell selects a finding's cell; the sidebar's links call it through google.script.run. */
function selectCell(sheetName, a1) {
  var ss = SpreadsheetApp.getActiveSpreadsheet();
  var sheet = sheetName ? ss.getSheetByName(sheetName) : ss.getActiveSheet();
  if (!sheet) throw new Error('There is no sheet named ' + sheetName + '.');
  sheet.activate();
  var range = sheet.getRange(a1);
  range.activate();
  return sheet.getName() + '!' + range.getA1Notation();
}

/** sidebarAction runs a menu item for the sidebar's buttons and answers its new content. */
function sidebarAction(name) {
  var views = { validate: validateView_ };
  if (!views[name]) throw new Error('unknown action ' + name);
  return views[name]();
}

/** findingsView_ turns aop's Validation answer into the sidebar's content. */
function findingsView_(v, title) {
  var findings = (v.findings || []).map(function (f) {
    return { sheet: f.sheet || '', cell: f.cell || '', level: f.level, message: f.message, rule: f.rule || '' };
  });
  var errors = findings.filter(function (f) { return f.level === 'error'; }).length;
  var warnings = findings.length - errors;
  var summary;
  if (v.refused) summary = 'aop cannot read this spreadsheet: ' + (v.problem || 'it is not one of its plans') + '.';
  else if (!findings.length) summary = 'No findings: your plan is ready to submit.';
  else summary = plural_(errors, 'error') + ' and ' + plural_(warnings, 'warning') + '. Click one to go to its cell.';
  return { title: title, level: v.refused || errors ? 'error' : (warnings ? 'warning' : 'ok'), summary: summary, findings: findings };
}

function plural_(n, word) {
  return n + ' ' + word + (n === 1 ? '' : 's');
}

/** waitJob_ polls a job until it completes or AOP_JOB_WAIT_MS pass: { done } or { error }. */
function waitJob_(id) {
  var deadline = Date.now() + AOP_JOB_WAIT_MS;
  var pause = 300;
  for (;;) {
    var r = aopCall_('GET', '/api/v1/jobs/' + id, '');
    if (r.error) return r;
    if (r.body.state === 'completed') return { done: true, job: r.body };
    if (r.body.state === 'discarded' || r.body.state === 'cancelled') {
      return { error: { title: 'aop', level: 'error', findings: [],
        summary: 'aop could not finish (job ' + id + '): ' + (r.body.errors || []).slice(-1).join('') + ' Finance has been told.' } };
    }
    if (Date.now() + pause > deadline) return { done: false, job: r.body };
    Utilities.sleep(pause);
    pause = Math.min(pause * 2, 2000);
  }
}

/**
 * aopCall_ calls aop: answers { status, body } on success, { error: view }
 * when aop refused (its error shape: {"error": {"code", "message",
 * "fields"}}) or was out of reach. A signature refused because the cached
 * secret is stale is retried once with the identity sheet's.
 */
function aopCall_(method, path, payload) {
  var resp;
  try {
    resp = aopFetch_(method, path, payload, false);
    if (resp.getResponseCode() === 401 && aopAuthMode_() === 'signature') {
      resp = aopFetch_(method, path, payload, true);
    }
  } catch (err) {
    return { error: { title: 'aop', level: 'error', findings: [], summary: 'aop is out of reach: ' + err.message } };
  }
  var code = resp.getResponseCode();
  var text = resp.getContentText();
  var body = null;
  try { body = text ? JSON.parse(text) : null; } catch (e) { body = null; }
  if (code >= 200 && code < 300) return { status: code, body: body };
  var message = body && body.error ? body.error.message : ('aop answered ' + code);
  return { status: code, error: { title: 'aop', level: 'error', findings: [], code: code,
    summary: message + (code === 401 || code === 403 ? ' (ask finance if this spreadsheet is yours)' : '') } };
}

/** aopFetch_ makes one authenticated request; fresh re-reads the sheet's secret. */
function aopFetch_(method, path, payload, fresh) {
  var headers = aopHeaders_(method, path, payload, fresh);
  var params = { method: method.toLowerCase(), headers: headers, muteHttpExceptions: true, followRedirects: false };
  if (method !== 'GET') {
    params.contentType = 'application/json';
    params.payload = payload;
  }
  return UrlFetchApp.fetch(aopSetting_('AOP_URL').replace(/\/+$/, '') + path, params);
}

/** aopAuthMode_ is "identity" or "signature" (see Config.gs). */
function aopAuthMode_() {
  return aopSetting_('AOP_AUTH') === 'identity' ? 'identity' : 'signature';
}

/** aopSetting_ reads a Config.gs value, which a script property of the same name overrides. */
function aopSetting_(name) {
  var p = PropertiesService.getScriptProperties().getProperty(name);
  if (p) return p;
  return name === 'AOP_URL' ? AOP_URL : AOP_AUTH;
}

/** aopHeaders_ are the headers that authenticate a call, by the deployment's mode. */
function aopHeaders_(method, path, payload, fresh) {
  if (aopAuthMode_() === 'identity') {
    var token = null;
    try { token = ScriptApp.getIdentityToken(); } catch (e) { token = null; }
    if (token) return { Authorization: 'Bearer ' + token, 'X-AOP-Sheet': sheetIdFromMetadata_() };
  }
  var ids = webhookIdentity_(fresh);
  return signedHeaders_(ids.sheet, ids.secret, method, path, payload,
    String(Math.floor(Date.now() / 1000)), Utilities.getUuid());
}

/**
 * signedHeaders_ signs a request as the sheetSignature scheme says: "v1="
 * + hex HMAC-SHA256(secret, METHOD\nPATH\nTIMESTAMP\nNONCE\nhex SHA-256(body)).
 */
function signedHeaders_(sheet, secret, method, path, payload, timestamp, nonce) {
  var digest = Utilities.computeDigest(Utilities.DigestAlgorithm.SHA_256, payload || '', Utilities.Charset.UTF_8);
  var base = [method.toUpperCase(), path, timestamp, nonce, hex_(digest)].join('\n');
  var mac = Utilities.computeHmacSha256Signature(base, secret, Utilities.Charset.UTF_8);
  return { 'X-AOP-Sheet': sheet, 'X-AOP-Timestamp': timestamp, 'X-AOP-Nonce': nonce, 'X-AOP-Signature': 'v1=' + hex_(mac) };
}

/** hex_ writes Apps Script's signed bytes as lowercase hex. */
function hex_(bytes) {
  var out = '';
  for (var i = 0; i < bytes.length; i++) {
    var b = (bytes[i] + 256) % 256;
    out += (b < 16 ? '0' : '') + b.toString(16);
  }
  return out;
}

/**
 * webhookIdentity_ is the spreadsheet's sheet id and secret: kept in the
 * document's properties, and read on first use (or when fresh) from the
 * hidden identity sheet aop wrote, whose rows are labelled in column A.
 */
function webhookIdentity_(fresh) {
  var props = PropertiesService.getDocumentProperties();
  var sheet = props.getProperty(AOP_PROPERTY_SHEET);
  var secret = props.getProperty(AOP_PROPERTY_SECRET);
  if (sheet && secret && !fresh) return { sheet: sheet, secret: secret };
  var id = SpreadsheetApp.getActiveSpreadsheet().getSheetByName(AOP_IDENTITY_SHEET);
  if (!id) throw new Error('this spreadsheet is not one aop made (it has no ' + AOP_IDENTITY_SHEET + ' sheet)');
  var rows = id.getRange('A1:B20').getValues();
  for (var i = 0; i < rows.length; i++) {
    if (rows[i][0] === 'webhook sheet') sheet = String(rows[i][1]);
    if (rows[i][0] === 'webhook secret') secret = String(rows[i][1]);
  }
  if (!sheet) sheet = sheetIdFromMetadata_();
  if (!sheet || !secret) throw new Error('this spreadsheet has no webhook secret; ask finance to refresh it');
  props.setProperties({ 'aop.sheet': sheet, 'aop.secret': secret });
  return { sheet: sheet, secret: secret };
}

/** sheetIdFromMetadata_ is the sheet id aop put in the spreadsheet's developer metadata. */
function sheetIdFromMetadata_() {
  var found = SpreadsheetApp.getActiveSpreadsheet().createDeveloperMetadataFinder()
    .withKey(AOP_PROPERTY_SHEET).find();
  if (!found.length) throw new Error('this spreadsheet is not one aop made (no aop.sheet metadata)');
  return found[0].getValue();
}

/** aopShow_ opens the sidebar with a view, and answers the view (for tests and google.script.run). */
function aopShow_(view) {
  var html = HtmlService.createHtmlOutputFromFile('Sidebar').getContent()
    .replace('/*AOP_VIEW*/null', JSON.stringify(view).replace(/</g, '\\u003c'));
  SpreadsheetApp.getUi().showSidebar(HtmlService.createHtmlOutput(html).setTitle('Planning · ' + view.title));
  return view;
}
