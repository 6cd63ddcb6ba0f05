/* The lesson editor: toolbar, autosave (debounced), live preview, conflicts, question snippets, media.
   Unsaved text is also kept in localStorage until the server has it, so a closed tab loses nothing.
   Every insert goes through the browser's own editing (execCommand), so Ctrl+Z undoes it; blocks
   (media, notes, quizzes) always stand as their own paragraph, and a question for "the quiz around the
   cursor" goes before that quiz's closing ':::'. Messages come from the page (#editor-strings), in the
   interface's language. */
(function () {
  "use strict";
  var root = document.getElementById("editor");
  if (!root) return;
  var text = document.getElementById("text");
  var status = document.getElementById("status");
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var T = JSON.parse(document.getElementById("editor-strings").textContent);
  function t(key, values) {  // a message with its {placeholders} filled
    return T[key].replace(/\{(\w+)\}/g, function (all, name) {
      return values && values[name] !== undefined ? values[name] : all;
    });
  }
  var path = root.dataset.path, base = parseInt(root.dataset.base, 10);
  // the digest of a text changed outside the studio that no save recorded yet: the first save names it,
  // so the server refuses it if the file changed again; every later base is a recorded revision
  var seen = root.dataset.seen || null;
  var backupKey = "kstudio:" + root.dataset.save + ":" + path;
  // the text as the server sent it (defaultValue), not as the page holds it now: what someone typed before
  // this script ran (a slow phone) is then unsaved text, and saved below, not taken for the saved text
  var saved = text.defaultValue, saving = false, again = false, inConflict = false;
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
      t("backup", { n: backup.base }));
  }

  function save() {
    if (inConflict) return;
    if (saving) { again = true; return; }
    var value = text.value;
    if (value === saved) return;
    saving = true;
    say(t("saving"));
    post(root.dataset.save, { path: path, text: value, base: base, seen: seen }).then(function (r) {
      return r.json().then(function (data) { return { status: r.status, data: data }; });
    }).then(function (res) {
      if (res.status === 200) {
        base = res.data.saved.number; saved = value; seen = null;
        if (text.value === saved) {
          localStorage.removeItem(backupKey);
          say(t("saved", { n: base, time: new Date().toLocaleTimeString() }));
        } else {  // changed (or reverted) while this save was on its way
          say(t("unsaved"));
          schedule();
        }
        refreshPreview(0);
      } else if (res.status === 409) {
        seen = null;  // "theirs" is recorded: whichever text is kept is based on it
        showConflict(res.data.theirs, value, "");
      } else {
        say(t("notSaved", { error: res.data.error || res.status }));
      }
    }).catch(function () {
      say(t("unreachable"));
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
    document.getElementById("conflict-who").textContent = note ||
      t(theirs.by ? "theirs" : "theirsAt", { n: theirs.number, by: theirs.by, at: theirs.at });
    conflict.dataset.theirs = theirs.number;
    conflict.hidden = false;
    text.readOnly = true;
    say(t("conflict"));
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
    say(t("tookTheirs", { n: base }));
    refreshPreview(0);
  });

  function edited() {
    if (text.value === saved && !saving) {  // back to the saved text (undo, or typed back): nothing to save
      clearTimeout(saveTimer);
      localStorage.removeItem(backupKey);
      say(t("unchanged", { n: base }));
    } else {
      try { localStorage.setItem(backupKey, JSON.stringify({ base: base, text: text.value })); } catch (e) { /* full */ }
      say(t("unsaved"));
      schedule();
    }
    refreshPreview(250);
  }
  text.addEventListener("input", edited);
  if (text.value !== saved) setTimeout(edited, 0);  // typed before this script ran (after the setup below)
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
          var html = data.html || "<p>" + (data.error || t("noPreview")).replace(/&/g, "&amp;").replace(/</g, "&lt;") + "</p>";
          frame.contentWindow.postMessage({ kind: "ks-lesson", html: html }, contentOrigin);
          ms.textContent = data.ms !== undefined ? "(" + data.ms + " ms)" : "";
          problems.textContent = "";
          (data.problems || []).forEach(function (p) {
            var li = document.createElement("li");
            li.className = p.severity;
            var a = document.createElement("a");
            a.href = "#text"; a.textContent = t("line", { n: p.line });
            a.addEventListener("click", function (e) { e.preventDefault(); goToLine(p.line); });
            li.append(t(p.severity === "error" ? "error" : "warning") + " ", a, ": " + p.message);
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

  // Inserts: through the browser's editing, so they join its undo history (Ctrl+Z, Ctrl+Y)
  function replaceRange(start, end, snippet, caret) {
    if (text.readOnly) return false;
    text.focus();
    text.setSelectionRange(start, end);
    var done = false;
    try { done = document.execCommand("insertText", false, snippet); } catch (e) { done = false; }
    if (!done || text.value.slice(start, start + snippet.length) !== snippet) {
      text.setRangeText(snippet, start, end, "end");  // a browser without insertText: no undo, but no loss
      text.dispatchEvent(new Event("input"));
    }
    var at = caret === undefined ? start + snippet.length : caret;
    text.setSelectionRange(at, at);
    return true;
  }
  function insert(snippet) {
    return replaceRange(text.selectionStart, text.selectionEnd, snippet);
  }
  // A block (media, note, quiz) on lines of its own, a blank line before and after it: from inside a
  // line it goes after that line, and the cursor lands after the blank line that follows it, where
  // typing starts a new paragraph. Returns where the block starts, or -1.
  function insertBlock(block) {
    var value = text.value, at = text.selectionEnd;
    if (at > 0 && value[at - 1] !== "\n") {
      var eol = value.indexOf("\n", at);
      at = eol === -1 ? value.length : eol;
    }
    var before = value.slice(0, at), after = value.slice(at);
    var lead = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var trail = /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
    var start = at + lead.length, caret = start + block.length + trail.length;
    if (trail === "") caret += 2; else if (trail === "\n") caret += 1;  // past the blank line already there
    return replaceRange(at, at, lead + block + trail, caret) ? start : -1;
  }
  // The quiz (or check) around *pos*: inside its fences, or after its closing ':::' with nothing but
  // blank lines between (where the last insert left the cursor). {close: start of the ':::' line} or null.
  function quizAround(pos) {
    var value = text.value, fence = /^[ \t]*:{3,}[ \t]*(\S*).*$/gm, m, open = null, found = null;
    while ((m = fence.exec(value)) !== null) {
      if (m[1]) { open = { start: m.index, kind: m[1] }; continue; }
      if (open && (open.kind === "quiz" || open.kind === "check") && pos > open.start) {
        var end = m.index + m[0].length;
        if (pos <= end || !value.slice(end, pos).trim()) found = { close: m.index };
      }
      open = null;
    }
    return found;
  }
  function insertInQuiz(question) {  // *question* ends with a newline
    var quiz = quizAround(text.selectionStart);
    if (!quiz) return false;
    var before = text.value.slice(0, quiz.close);
    var snippet = (/\n\n$/.test(before) ? "" : "\n") + question;
    // the cursor goes where it was, after the quiz's ':::': the next question goes in this quiz too
    var closeEnd = text.value.indexOf("\n", quiz.close);
    var caret = (closeEnd === -1 ? text.value.length : closeEnd + 1) + snippet.length;
    return replaceRange(quiz.close, quiz.close, snippet, Math.min(caret, text.value.length + snippet.length));
  }

  // Toolbar: wrap the selection, prefix the line, insert a snippet or a block, or open a panel
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
        // the wrapped text stays selected: with nothing selected it is a placeholder that typing replaces
        var mark = button.dataset.wrap, inner = selected || "text", from = s + mark.length;
        if (replaceRange(s, e, mark + inner + mark, from)) text.setSelectionRange(from, from + inner.length);
      } else if (button.dataset.prefix) {
        var lineStart = text.value.lastIndexOf("\n", s - 1) + 1;
        replaceRange(lineStart, lineStart, button.dataset.prefix, e + button.dataset.prefix.length);
      } else if (button.dataset.block) {
        insertBlock(button.dataset.block);
      } else if (button.dataset.panel) {  // the Image button: choose a file of the course, or upload one
        var panel = document.getElementById(button.dataset.panel);
        panel.open = true;
        var first = panel.querySelector("select, input");
        if (first) first.focus();
        panel.scrollIntoView({ block: "nearest" });
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
    if (text.readOnly) return;
    window.KS_UPLOAD(root.dataset.media, token, new FormData(mediaForm), bar, out, t, function (data) {
      insertBlock(data.markdown);
      out.textContent = t("uploaded", { path: data.path });
      mediaForm.reset();
      followMediaJob(data.job, data.path, out);
    });
  });

  // A file already in the course: inserted as its own paragraph, never a name that does not exist
  var existingForm = document.getElementById("media-existing");
  if (existingForm) existingForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = existingForm.path.value, label = existingForm.alt.value.replace(/[\[\]\n]/g, " ").trim();
    var link = /\.(pdf)$/i.test(file) ? "[" + label + "](" + file + ")" : "![" + label + "](" + file + ")";
    if (insertBlock(link) >= 0) {
      document.getElementById("m-status").textContent = t("inserted", { path: file });
      existingForm.alt.value = "";
    }
  });

  // The media pipeline runs as a job: follow it and say what it made
  function followMediaJob(url, path, out) {
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (job) {
      if (job.status === "done") {
        var r = job.result, made = (r.outputs || []).map(function (o) { return o.name + " (" + Math.round(o.bytes / 1024) + " KB)"; });
        out.textContent = r.error ? path + ": " + r.error :
          made.length ? t("made", { path: path, files: made.join(", ") }) : t("asIs", { path: path });
        refreshPreview(0);
      } else if (job.status === "failed") {
        out.textContent = t("notPrepared", { path: path, error: job.message });
      } else {
        out.textContent = t("preparing", { path: path, percent: job.progress });
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
        if (data.error) { out.textContent = t("notInserted", { error: data.error }); return; }
        var done;
        if (form.wrap.value) {
          done = insertBlock(data.markdown.replace(/\n$/, "")) >= 0;
        } else {
          done = insertInQuiz(data.markdown);
          if (!done && !text.readOnly) { out.textContent = t("noQuiz"); return; }
        }
        if (!done) return;
        out.textContent = t("questionInserted");
        form.prompt.value = ""; form.options.value = "";
      });
  });
})();
