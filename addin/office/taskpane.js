/*
 * The task pane: sign in once, see whose workbook this is, press Validate,
 * Submit, Refresh or Status, and read what aop found; a finding's cell is a
 * link that selects it.
 */
(function () {
  'use strict';
  var aop = window.AopExcel;
  var $ = function (id) { return document.getElementById(id); };

  function show(result) {
    var msg = $('message');
    msg.textContent = result.message;
    msg.className = result.ok ? 'ok' : 'bad';
    var list = $('findings');
    list.textContent = '';
    (result.findings || []).forEach(function (f) {
      var li = document.createElement('li');
      li.className = f.level;
      var level = document.createElement('span');
      level.className = 'level';
      level.textContent = f.level + ': ';
      li.appendChild(level);
      if (f.sheet && f.cell) {
        var a = document.createElement('a');
        a.className = 'cell';
        a.textContent = "'" + f.sheet + "'!" + f.cell;
        a.title = 'Select the cell';
        a.addEventListener('click', function () { aop.selectCell(f.sheet, f.cell).catch(fail); });
        li.appendChild(a);
        li.appendChild(document.createTextNode(' '));
      }
      li.appendChild(document.createTextNode(f.message));
      list.appendChild(li);
    });
  }

  function fail(e) { show({ ok: false, message: e && e.message ? e.message : String(e), findings: [] }); }

  function busy(on) {
    ['validate', 'submit', 'refresh', 'status', 'signin-button'].forEach(function (id) { $(id).disabled = on; });
  }

  function run(action) {
    return function () {
      busy(true);
      $('message').textContent = 'Working…';
      $('message').className = '';
      return aop[action]().then(show, fail).then(function () { busy(false); });
    };
  }

  function showWho() {
    $('who').textContent = aop.describeCredential(aop.credential());
  }

  function showWorkbook() {
    return aop.readIdentity().then(function (id) {
      $('workbook').textContent = id.department + ' · round ' + id.round + ' · ' + id.cycle;
    }, function (e) { $('workbook').textContent = e.message; });
  }

  function start() {
    var server = document.querySelector('meta[name="aop-server"]');
    if (server && server.content) aop.configure({ server: server.content });
    showWho();
    $('signin-form').addEventListener('submit', function (ev) {
      ev.preventDefault();
      aop.signIn($('credential').value).then(function (text) {
        $('credential').value = '';
        $('who').textContent = text;
      }, fail);
    });
    $('signout-button').addEventListener('click', function () { aop.signOut().then(showWho, fail); });
    ['validate', 'submit', 'refresh', 'status'].forEach(function (a) { $(a).addEventListener('click', run(a)); });
    var last = aop.lastResult();
    if (last) show(last);
    return showWorkbook();
  }

  Office.onReady(function () { start(); });
})();
