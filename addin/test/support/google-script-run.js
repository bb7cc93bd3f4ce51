// A stub of google.script.run for rendering the Sheets sidebar outside
// Google (google.script.run only exists in a sidebar Google serves). Load
// it before the sidebar's own script (a <script> first in <head>). Every
// call is recorded in window.googleScriptRunCalls as { name, args }; the
// answers are canned and asynchronous, as Google's are:
//
// - selectCell(sheet, a1) answers "sheet!A1" (the script's selectCell does
//   the same after selecting the cell);
// - sidebarAction(name) answers window.googleScriptRunView, or a view
//   without findings;
// - a name listed in window.googleScriptRunFailures fails with an Error.
(function () {
  window.googleScriptRunCalls = [];
  window.googleScriptRunFailures = [];
  var answers = {
    selectCell: function (sheet, a1) { return (sheet ? sheet + '!' : '') + String(a1).toUpperCase(); },
    sidebarAction: function () {
      return window.googleScriptRunView || { title: 'Validate', level: 'ok', summary: 'No findings: your plan is ready to submit.', findings: [] };
    },
  };
  function runner(success, failure) {
    var r = {
      withSuccessHandler: function (f) { return runner(f, failure); },
      withFailureHandler: function (f) { return runner(success, f); },
      withUserObject: function () { return r; },
    };
    Object.keys(answers).forEach(function (name) {
      r[name] = function () {
        var args = Array.prototype.slice.call(arguments);
        window.googleScriptRunCalls.push({ name: name, args: args });
        setTimeout(function () {
          if (window.googleScriptRunFailures.indexOf(name) >= 0) {
            if (failure) failure(new Error(name + ' failed'));
            return;
          }
          var out = answers[name].apply(null, args);
          if (success) success(out);
        }, 0);
      };
    });
    return r;
  }
  window.google = window.google || {};
  window.google.script = { run: runner(null, null), host: { close: function () {}, setHeight: function () {}, setWidth: function () {} } };
})();
