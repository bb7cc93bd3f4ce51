/*
 * The ribbon's buttons (ExecuteFunction actions in manifest.xml): each runs
 * one of AopExcel's actions, which selects the first mistake's cell and
 * keeps the result for the task pane, and then tells Office it is done.
 */
(function (root) {
  'use strict';
  var aop = root.AopExcel || (typeof require === 'function' ? require('./aop-excel.js') : null);

  function command(name, action) {
    return async function (event) {
      try {
        await action();
      } catch (e) {
        // No window to show it in: the task pane shows it when opened.
        aop.remember({ action: name, ok: false, message: e && e.message ? e.message : String(e), findings: [] });
      }
      event.completed(); // Office queues further clicks until this is called
    };
  }

  var commands = {
    validatePlan: command('validate', function () { return aop.validate(); }),
    submitPlan: command('submit', function () { return aop.submit(); }),
    // Refresh writes the Summary and Actuals vs Plan tabs; the function
    // keeps its first name, which installed manifests call it by.
    refreshSummary: command('refresh', function () { return aop.refresh(); }),
  };

  Office.onReady(function () {});
  Object.keys(commands).forEach(function (name) { Office.actions.associate(name, commands[name]); });

  if (typeof module === 'object' && module.exports) module.exports = commands;
})(typeof self !== 'undefined' ? self : globalThis);
