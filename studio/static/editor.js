/* The lesson editor: toolbar, autosave (debounced), live preview, conflicts, question snippets.
   Unsaved text is also kept in localStorage until the server has it, so a closed tab loses nothing. */
(function () {
  "use strict";
  var root = document.getElementById("editor");
  if (!root) return;
  var text = document.getElementById("text");
  var status = document.getElementById("status");
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var path = root.dataset.path, base = parseInt(root.dataset.base, 10);
  // the digest of a text changed outside the studio that no save recorded yet: the first save names it,
  // so the server refuses it if the file changed again; every later base is a recorded revision
  var seen = root.dataset.seen || null;
  var backupKey = "kstudio:" + root.dataset.save + ":" + path;
  var saved = text.value, saving = false, again = false, inConflict = false;
  var saveTimer = null, previewTimer = null;

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    });
  }
  function say(message) { status.textContent = message; }

  // A backup left by a tab that closed before its save arrived is offered back, never applied silently
  var backup = null;
  try { backup = JSON.parse(localStorage.getItem(backupKey) || "null"); } catch (e) { backup = null; }
  if (backup && backup.text !== text.value) {
    showConflict({ number: base, by: "", at: "", text: text.value }, backup.text,
      "This browser kept text you had not saved (based on revision " + backup.base + ").");
  }

  function save() {
    if (inConflict) return;
    if (saving) { again = true; return; }
    var value = text.value;
    if (value === saved) return;
    saving = true;
    say("Saving…");
    post(root.dataset.save, { path: path, text: value, base: base, seen: seen }).then(function (r) {
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    }).then(function (res) {
      if (res.status === 200) {
        base = res.data.saved.number; saved = value; seen = null;
        if (text.value === saved) localStorage.removeItem(backupKey);
        say("Revision " + base + ", saved at " + new Date().toLocaleTimeString() + ".");
        refreshPreview(0);
      } else if (res.status === 409) {
        seen = null;  // "theirs" is recorded: whichever text is kept is based on it
        showConflict(res.data.theirs, value, "");
      } else {
        say("Not saved: " + (res.data.error || res.status) + ". Your text is kept in this page.");
      }
    }).catch(function () {
      say("Not saved: the studio cannot be reached. Your text is kept in this browser; saving again soon.");
      schedule();
    }).finally(function () {
      saving = false;
      if (again) { again = false; save(); }
    });
  }
  function schedule() {
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 1200);
  }

  var conflict = document.getElementById("conflict");
  function showConflict(theirs, yours, note) {
    inConflict = true;
    document.getElementById("theirs").value = theirs.text;
    document.getElementById("yours").value = yours;
    document.getElementById("conflict-who").textContent = note || ("Revision " + theirs.number +
      (theirs.by ? " by " + theirs.by : "") + (theirs.at ? " at " + theirs.at : "") + ".");
    conflict.dataset.theirs = theirs.number;
    conflict.hidden = false;
    text.readOnly = true;
    say("Not saved: someone saved a newer version. Compare them below.");
    conflict.focus();
  }
  function resolve(value, number) {
    conflict.hidden = true; inConflict = false; text.readOnly = false;
    base = number; text.value = value;
    if (value === saved) { localStorage.removeItem(backupKey); }
    text.focus();
  }
  document.getElementById("keep-yours").addEventListener("click", function () {
    saved = null;  // force the save even if the text equals what this page last saved
    resolve(document.getElementById("yours").value, parseInt(conflict.dataset.theirs, 10));
    save();
  });
  document.getElementById("keep-theirs").addEventListener("click", function () {
    var theirs = document.getElementById("theirs").value;
    saved = theirs;
    resolve(theirs, parseInt(conflict.dataset.theirs, 10));
    localStorage.removeItem(backupKey);
    say("Took revision " + base + ".");
    refreshPreview(0);
  });

  text.addEventListener("input", function () {
    try { localStorage.setItem(backupKey, JSON.stringify({ base: base, text: text.value })); } catch (e) { /* full */ }
    say("Unsaved changes…");
    schedule();
    refreshPreview(250);
  });
  document.getElementById("save").addEventListener("click", function () { clearTimeout(saveTimer); save(); });
  window.addEventListener("beforeunload", function (event) {
    if (text.value !== saved && !inConflict) { save(); event.preventDefault(); }
  });

  // Live preview: the lesson rendered by the player's own templates on the server
  var frame = document.getElementById("preview");
  var problems = document.getElementById("preview-problems");
  var ms = document.getElementById("preview-ms");
  function refreshPreview(delay) {
    if (!frame) return;
    clearTimeout(previewTimer);
    previewTimer = setTimeout(function () {
      post(root.dataset.preview, { path: path, text: text.value }).then(function (r) { return r.json(); })
        .then(function (data) {
          if (!frameReady) return;
          var html = data.html || "<p>" + (data.error || "No preview").replace(/&/g, "&amp;").replace(/</g, "&lt;") + "</p>";
          frame.contentWindow.postMessage({ kind: "ks-lesson", html: html }, contentOrigin);
          ms.textContent = data.ms !== undefined ? "(" + data.ms + " ms)" : "";
          problems.textContent = "";
          (data.problems || []).forEach(function (p) {
            var li = document.createElement("li");
            li.className = p.severity;
            var a = document.createElement("a");
            a.href = "#text"; a.textContent = "line " + p.line;
            a.addEventListener("click", function (e) { e.preventDefault(); goToLine(p.line); });
            li.append(p.severity + " ", a, ": " + p.message);
            problems.append(li);
          });
        }).catch(function () { /* the next keystroke tries again */ });
    }, delay);
  }
  // The preview page lives on the content origin: it says when it is ready, and takes lessons only from here
  var contentOrigin = frame ? new URL(frame.src, location.href).origin : "", frameReady = false;
  window.addEventListener("message", function (event) {
    if (!frame || event.origin !== contentOrigin || event.source !== frame.contentWindow) return;
    if (event.data && event.data.kind === "ks-ready") { frameReady = true; refreshPreview(0); }
  });
  if (frame) frame.contentWindow.postMessage({ kind: "ks-hello" }, contentOrigin);  // in case it loaded first

  function goToLine(line) {
    if (!line) return;
    var lines = text.value.split("\n"), start = 0;
    for (var i = 0; i < Math.min(line - 1, lines.length); i++) start += lines[i].length + 1;
    text.focus();
    text.setSelectionRange(start, start + (lines[line - 1] || "").length);
    var lineHeight = parseFloat(getComputedStyle(text).lineHeight) || 20;
    text.scrollTop = Math.max(0, (line - 3) * lineHeight);
  }
  if (root.dataset.line) goToLine(parseInt(root.dataset.line, 10));

  // Toolbar: wrap the selection, prefix the line, or insert a snippet
  function insert(snippet) {
    var s = text.selectionStart, e = text.selectionEnd;
    text.setRangeText(snippet, s, e, "end");
    text.dispatchEvent(new Event("input"));
    text.focus();
  }
  // The toolbar is one tab stop; arrow keys, Home and End move between its buttons (ARIA toolbar pattern)
  var tools = Array.prototype.slice.call(document.querySelectorAll(".toolbar button"));
  tools.forEach(function (button, i) {
    button.tabIndex = i === 0 ? 0 : -1;
    button.addEventListener("keydown", function (event) {
      var next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tools.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      next = (next + tools.length) % tools.length;
      button.tabIndex = -1; tools[next].tabIndex = 0; tools[next].focus();
    });
  });
  document.querySelectorAll(".toolbar button").forEach(function (button) {
    button.addEventListener("click", function () {
      var s = text.selectionStart, e = text.selectionEnd, selected = text.value.slice(s, e);
      if (button.dataset.wrap) {
        insert(button.dataset.wrap + (selected || "text") + button.dataset.wrap);
      } else if (button.dataset.prefix) {
        var lineStart = text.value.lastIndexOf("\n", s - 1) + 1;
        text.setSelectionRange(lineStart, lineStart);
        insert(button.dataset.prefix);
      } else {
        insert(button.dataset.insert);
      }
    });
  });

  // Media upload by XHR, whose upload events give the progress bar
  var mediaForm = document.getElementById("media");
  if (mediaForm) mediaForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var bar = document.getElementById("m-progress"), out = document.getElementById("m-status");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", root.dataset.media);
    xhr.setRequestHeader("X-CSRFToken", token);
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); out.textContent = "Uploading… " + bar.value + "%"; }
    });
    xhr.addEventListener("load", function () {
      var data = {};
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = { error: "status " + xhr.status }; }
      bar.hidden = true;
      if (xhr.status !== 200) { out.textContent = "Not uploaded: " + (data.error || xhr.status); return; }
      insert("\n" + data.markdown + "\n");
      out.textContent = "Uploaded " + data.path + " and inserted it at the cursor. Preparing it for phones…";
      mediaForm.reset();
      followMediaJob(data.job, data.path, out);
    });
    xhr.addEventListener("error", function () { bar.hidden = true; out.textContent = "Not uploaded: the studio cannot be reached."; });
    bar.hidden = false; bar.value = 0;
    xhr.send(new FormData(mediaForm));
  });

  // The media pipeline runs as a job: follow it and say what it made
  function followMediaJob(url, path, out) {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (job) {
      if (job.status === "done") {
        var r = job.result, made = (r.outputs || []).map(function (o) { return o.name + " (" + Math.round(o.bytes / 1024) + " KB)"; });
        out.textContent = r.error ? path + ": " + r.error : "Uploaded " + path + ". " +
          (made.length ? "Made for learners: " + made.join(", ") + "." : "Used as it is.");
        refreshPreview(0);
      } else if (job.status === "failed") {
        out.textContent = path + " was uploaded but could not be prepared: " + job.message;
      } else {
        out.textContent = "Preparing " + path + " for phones… " + job.progress + "%";
        setTimeout(function () { followMediaJob(url, path, out); }, 700);
      }
    });
  }

  // Question editor: the server writes the quiz syntax; it is inserted at the cursor
  var form = document.getElementById("question");
  if (form) form.addEventListener("submit", function (event) {
    event.preventDefault();
    var kind = form.kind.value, lines = form.options.value.split("\n").filter(function (l) { return l.trim(); });
    var correct = [], options = lines.map(function (line, i) {
      if (/^\s*\*/.test(line)) { correct.push(i); return line.replace(/^\s*\*\s*/, ""); }
      return line;
    });
    post(root.dataset.question, { kind: kind, prompt: form.prompt.value, options: options, correct: correct, wrap: form.wrap.value })
      .then(function (r) { return r.json(); }).then(function (data) {
        var out = document.getElementById("q-status");
        if (data.error) { out.textContent = "Not inserted: " + data.error; return; }
        insert("\n" + data.markdown + "\n");
        out.textContent = "Question inserted.";
        form.prompt.value = ""; form.options.value = "";
      });
  });
})();
