/* The LMS side of the preview: scorm-again's API for the course's frame, and a live table of what the
   course records (every SetValue, Commit and Terminate), as an LMS would store it. Nothing is sent. */
(function () {
  "use strict";
  var root = document.getElementById("lms");
  if (!root || !window.Scorm2004API) return;
  var v12 = root.dataset.api === "scorm12";
  var settings = { autocommit: false, lmsCommitUrl: false, logLevel: 5 };
  var api = v12 ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
  window[v12 ? "API" : "API_1484_11"] = api;
  var values = {}, rows = document.getElementById("lms-values"), log = document.getElementById("lms-log");
  var summary = document.getElementById("lms-summary"), commits = 0;
  var show = function () {
    rows.textContent = "";
    Object.keys(values).sort().forEach(function (key) {
      var tr = document.createElement("tr"), th = document.createElement("th"), td = document.createElement("td");
      th.scope = "row"; th.textContent = key;
      td.textContent = values[key].length > 200 ? values[key].slice(0, 200) + "… (" + values[key].length + " characters)" : values[key];
      tr.append(th, td); rows.append(tr);
    });
  };
  var note = function (text) {
    var li = document.createElement("li"); li.textContent = text; log.prepend(li);
    while (log.children.length > 50) log.lastChild.remove();
  };
  var status = function () {
    var keys = v12 ? ["cmi.core.lesson_status", "cmi.core.score.raw"] : ["cmi.completion_status", "cmi.success_status", "cmi.score.scaled"];
    summary.textContent = keys.filter(function (k) { return values[k] !== undefined; })
      .map(function (k) { return k + " = " + values[k]; }).join("; ") + (commits ? " (" + commits + " commits)" : "");
  };
  var initial = v12
    ? ["cmi.core.lesson_status", "cmi.core.entry", "cmi.core.lesson_mode", "cmi.core.credit"]
    : ["cmi.completion_status", "cmi.success_status", "cmi.entry", "cmi.mode", "cmi.credit"];
  api.on(v12 ? "LMSInitialize" : "Initialize", function () {
    note("Initialize");
    summary.textContent = "The course started.";
    setTimeout(function () {  /* what the LMS hands the course at the start */
      initial.forEach(function (key) { if (values[key] === undefined) values[key] = String(api[v12 ? "LMSGetValue" : "GetValue"](key)); });
      show(); status();
    }, 0);
  });
  api.on(v12 ? "LMSSetValue.cmi.*" : "SetValue.cmi.*", function (key, value) {
    values[key] = String(value); show(); status();
  });
  api.on(v12 ? "LMSCommit" : "Commit", function () { commits++; note("Commit"); status(); });
  api.on(v12 ? "LMSFinish" : "Terminate", function () { note("Terminate"); status(); });
  document.getElementById("sco").src = root.dataset.sco;
})();
