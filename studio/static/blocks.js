/* The block editor: a lesson as a list of blocks (packager.blocks' JSON), edited with forms and saved
   through POST blocks with its base revision, so it edits the same revisioned text as the Markdown view.
   Undo and redo keep a history of whole block lists (typing is recorded after a pause); every edit,
   insert, move, delete and upload is one step. Messages come from the page (#blocks-strings). */
(function () {
  "use strict";
  var root = document.getElementById("blocks-editor");
  if (!root) return;
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var T = JSON.parse(document.getElementById("blocks-strings").textContent);
  function t(key, values) {
    return T[key].replace(/\{(\w+)\}/g, function (all, name) {
      return values && values[name] !== undefined ? values[name] : all;
    });
  }
  var list = document.getElementById("blocks");
  var status = document.getElementById("blocks-status");
  var path = root.dataset.path, base = 0, seen = null, blocks = [], media = [];
  var history = [], at = -1, typingTimer = null, saveTimer = null, saving = false, again = false;
  var savedState = null, inConflict = false, ids = 0, loaded = false;
  try { media = JSON.parse(root.dataset.mediaFiles); } catch (e) { media = []; }

  function say(message) { status.textContent = message; }  // the save's state
  var said = document.getElementById("blocks-said");
  function announce(message) { said.textContent = message; }  // what the last action did
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    }).then(function (r) { return r.json().then(function (data) { return { status: r.status, data: data }; }); });
  }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = attrs[k];
      else if (k === "on") Object.keys(attrs.on).forEach(function (e) { node.addEventListener(e, attrs.on[e]); });
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) node.append(c); });
    return node;
  }
  function button(label, name, action, cls) {
    return el("button", { type: "button", "aria-label": name || null, "class": cls || null, text: label, on: { click: action } });
  }

  // ---- the model: kinds, new blocks, and a block's name as a screen reader hears it
  var KINDS = ["text", "heading", "image", "video", "audio", "attachment", "callout", "reflection", "table", "quiz"];
  function question(kind) {
    var q = { kind: kind, prompt: "", more: "", options: [], answers: [], items: [], pairs: [], explanation: "", points: 1, id: "", competency: [] };
    if (kind === "single" || kind === "multiple") q.options = [{ text: "", correct: true, feedback: "" }, { text: "", correct: false, feedback: "" }];
    if (kind === "order") q.items = ["", ""];
    if (kind === "match") q.pairs = [["", ""], ["", ""]];
    return q;
  }
  function fresh(kind) {
    return {
      text: { type: "text", markdown: "" }, heading: { type: "heading", level: 2, text: "" },
      image: { type: "image", src: "", alt: "" }, video: { type: "video", src: "", title: "" },
      audio: { type: "audio", src: "", title: "" }, attachment: { type: "attachment", src: "", text: "" },
      callout: { type: "callout", kind: "note", markdown: "" }, reflection: { type: "reflection", markdown: "", id: "" },
      table: { type: "table", rows: [["", ""], ["", ""]], align: [] },
      quiz: { type: "quiz", kind: "quiz", questions: [], intro: "", pass_mark: null, draw: null, shuffle: true, attempts: null, id: "" }
    }[kind];
  }
  function gist(b) {
    var words = b.text || b.markdown || b.alt || b.title || b.src || (b.rows && b.rows[0].join(" ")) ||
      (b.questions && b.questions.length ? b.questions[0].prompt : "") || "";
    words = words.replace(/\s+/g, " ").trim();
    return words.length > 40 ? words.slice(0, 40) + "…" : words;
  }
  function named(i) {  // "Heading: Welcome": what the block's buttons name it by
    var b = blocks[i], kind = t("kind_" + b.type), words = gist(b);
    return words ? kind + ": " + words : kind;
  }

  // ---- history: whole block lists; undo and redo restore one and re-render
  function snapshot() { return JSON.stringify(blocks); }
  function dirty() { return loaded && snapshot() !== savedState; }  // nothing is saved before the lesson loaded
  function record() {
    clearTimeout(typingTimer); typingTimer = null;
    var now = snapshot();
    if (history[at] === now) return;
    history = history.slice(0, at + 1);
    history.push(now); at = history.length - 1;
    if (history.length > 200) { history.shift(); at--; }
    buttons();
  }
  function typed() {  // a field changed: one history step once typing pauses; saved soon
    clearTimeout(typingTimer);
    typingTimer = setTimeout(record, 700);
    changed();
  }
  function travel(step) {
    if (typingTimer) record();
    var to = at + step;
    if (to < 0 || to >= history.length) return;
    at = to; blocks = JSON.parse(history[at]);
    var focus = document.activeElement && document.activeElement.closest(".block");
    render(focus ? parseInt(focus.dataset.i, 10) : null);
    buttons();
    changed();
    announce(t(step < 0 ? "undone" : "redone"));
  }
  var undoButton = document.getElementById("undo"), redoButton = document.getElementById("redo");
  function buttons() {
    undoButton.disabled = at <= 0 && !typingTimer;
    redoButton.disabled = at >= history.length - 1;
  }
  undoButton.addEventListener("click", function () { travel(-1); });
  redoButton.addEventListener("click", function () { travel(1); });
  root.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey) return;
    var key = event.key.toLowerCase();
    if (key === "z" || key === "y") {
      event.preventDefault();
      travel(key === "y" || event.shiftKey ? 1 : -1);
    }
  });

  // A structural change: one history step, the list drawn again, focus on the block it concerns
  function change(fn, focusIndex, message) {
    if (typingTimer) record();
    fn();
    record();
    render(focusIndex);
    changed();
    if (message) announce(message);
  }

  // ---- saving: debounced, through POST blocks with the base revision
  function changed() {
    if (inConflict) return;
    if (snapshot() === savedState) { clearTimeout(saveTimer); say(t("unchanged", { n: base })); return; }
    say(t("unsaved"));
    clearTimeout(saveTimer);
    saveTimer = setTimeout(save, 1200);
  }
  function save() {
    if (inConflict) return Promise.resolve();
    if (saving) { again = true; return Promise.resolve(); }
    var state = snapshot();
    if (!dirty()) return Promise.resolve();
    saving = true; say(t("saving"));
    clearErrors();
    var out = writable();
    var body = { path: path, base: base, format: 1, blocks: out.blocks };
    if (seen) body.seen = seen;
    return post(root.dataset.save, body).then(function (res) {
      if (res.status === 200) {
        base = res.data.saved.number; seen = null; savedState = state;
        say(snapshot() === state ? t("saved", { n: base, time: new Date().toLocaleTimeString() }) : t("unsaved"));
        if (snapshot() !== state) saveTimer = setTimeout(save, 1200);
        preview(res.data.text);
      } else if (res.status === 409) {
        showConflict(res.data.theirs);
      } else if (res.status === 422) {
        showError(onPage(res.data.error || "", out.where));
      } else {
        say(t("notSaved", { error: res.data.error || res.status }));
      }
    }).catch(function () {
      say(t("unreachable"));
      saveTimer = setTimeout(save, 5000);
    }).finally(function () {
      saving = false;
      if (again) { again = false; save(); }
    });
  }
  document.getElementById("blocks-save").addEventListener("click", function () { if (typingTimer) record(); save(); });
  window.addEventListener("beforeunload", function (event) {
    if (dirty() && !inConflict) { save(); event.preventDefault(); }
  });
  // The Markdown view: the unsaved blocks are saved first, so it opens on the same text
  document.getElementById("to-markdown").addEventListener("click", function (event) {
    if (!dirty() || inConflict) return;
    event.preventDefault();
    var href = this.href;
    save().then(function () { if (snapshot() === savedState) location.href = href; });
  });

  // A question is written once its prompt has text, a quiz once it has such a question: a half-made one
  // in the file would fail `kstudio check` (and the preview) while the author is still on it. *where*
  // maps the written blocks and questions back to those on the page, for the server's messages.
  function writable() {
    var sent = [], where = [];
    blocks.forEach(function (b, i) {
      if (b.type !== "quiz") { sent.push(b); where.push([i, []]); return; }
      var kept = [], qs = [];
      b.questions.forEach(function (q, n) { if (q.prompt.trim()) { kept.push(q); qs.push(n); } });
      if (!kept.length) return;
      sent.push(Object.assign({}, b, { questions: kept }));
      where.push([i, qs]);
    });
    return { blocks: sent, where: where };
  }
  function onPage(message, where) {  // "blocks[2].questions[0]…" of the written blocks, as on the page
    return message.replace(/^blocks\[(\d+)\](\.questions\[(\d+)\])?/, function (all, i, q, n) {
      var at = where[parseInt(i, 10)], m = at && q ? at[1][parseInt(n, 10)] : undefined;
      if (!at) return all;
      return "blocks[" + at[0] + "]" + (q ? ".questions[" + (m === undefined ? n : m) + "]" : "");
    });
  }
  function clearErrors() {
    list.querySelectorAll(".block-error").forEach(function (p) { p.remove(); });
  }
  function showError(message) {  // "blocks[3].questions[0].prompt: …": said at block 3
    var m = /^blocks\[(\d+)\]/.exec(message), i = m ? parseInt(m[1], 10) : -1;
    var block = list.querySelector('.block[data-i="' + i + '"]');
    say(t("badBlock", { error: message }));
    if (!block) return;
    var note = el("p", { "class": "block-error", id: "block-error-" + i, role: "alert", text: message });
    block.querySelector(".block-body").prepend(note);
    block.setAttribute("aria-describedby", note.id);
  }

  var conflict = document.getElementById("blocks-conflict"), theirs = null;
  function showConflict(newer) {
    inConflict = true; theirs = newer;
    document.getElementById("blocks-theirs").value = newer.text;
    document.getElementById("blocks-conflict-who").textContent =
      t(newer.by ? "theirs" : "theirsAt", { n: newer.number, by: newer.by, at: newer.at });
    conflict.hidden = false;
    say(t("conflict"));
    conflict.focus();
  }
  document.getElementById("blocks-keep-yours").addEventListener("click", function () {
    inConflict = false; conflict.hidden = true; base = theirs.number; seen = null; savedState = null;
    save();
  });
  document.getElementById("blocks-keep-theirs").addEventListener("click", function () {
    inConflict = false; conflict.hidden = true; base = theirs.number; seen = null;
    blocks = theirs.blocks; savedState = snapshot();
    record(); render(null);
    say(t("tookTheirs", { n: base }));
    preview(theirs.text);
  });

  // ---- the live preview: the saved text rendered on the server, shown on the content origin
  var frame = document.getElementById("preview"), problems = document.getElementById("preview-problems");
  var contentOrigin = frame ? new URL(frame.src, location.href).origin : "", frameReady = false, lastText = null;
  var devices = document.getElementById("device-preview");
  function preview(text) {
    if (text !== undefined) lastText = text;
    if (devices && text !== undefined) {  // the translated frame of the device and language switch
      devices.ksText = text;
      devices.dispatchEvent(new CustomEvent("ks-lesson-text"));
    }
    if (!frame || !frameReady || lastText === null) return;
    post(root.dataset.preview, { path: path, text: lastText }).then(function (res) {
      var data = res.data;
      var html = data.html || "<p>" + (data.error || "").replace(/&/g, "&amp;").replace(/</g, "&lt;") + "</p>";
      frame.contentWindow.postMessage({ kind: "ks-lesson", html: html }, contentOrigin);
      problems.textContent = "";
      (data.problems || []).forEach(function (p) {
        problems.append(el("li", { "class": p.severity, text: t(p.severity === "error" ? "error" : "warning") + ": " + p.message }));
      });
    }).catch(function () { /* the next save tries again */ });
  }
  window.addEventListener("message", function (event) {
    if (!frame || event.origin !== contentOrigin || event.source !== frame.contentWindow) return;
    if (event.data && event.data.kind === "ks-ready") { frameReady = true; preview(); }
  });
  if (frame) frame.contentWindow.postMessage({ kind: "ks-hello" }, contentOrigin);

  // ---- fields: each a real input with a label, writing into the block as the author types
  function uid() { ids += 1; return "bf-" + ids; }
  function input(label, value, set, opts) {
    opts = opts || {};
    var id = uid(), tag = opts.multiline ? "textarea" : opts.choices ? "select" : "input";
    var field = el(tag, { id: id, rows: opts.multiline ? opts.rows || 4 : null, type: opts.type || null,
      min: opts.min, max: opts.max, step: opts.step, required: opts.required ? "required" : null, "class": opts.cls || null,
      "aria-describedby": opts.describedby || null });
    if (opts.choices) opts.choices.forEach(function (c) { field.append(el("option", { value: c[0], text: c[1] })); });
    if (opts.type === "checkbox") field.checked = !!value; else field.value = value === null || value === undefined ? "" : value;
    field.addEventListener(opts.type === "checkbox" || opts.choices ? "change" : "input", function () {
      set(opts.type === "checkbox" ? field.checked : field.value);
      if (opts.type === "checkbox" || opts.choices) { record(); changed(); } else typed();
    });
    var labelled = el("label", { "for": id, text: label });
    return el("div", { "class": opts.type === "checkbox" ? "bf bf-check" : "bf" },
      opts.type === "checkbox" ? [field, labelled] : [labelled, field]);
  }
  function number(value) { var n = parseInt(value, 10); return isNaN(n) ? null : n; }
  function decimal(value) { var n = parseFloat(value); return isNaN(n) ? null : n; }

  // A competency picker, as the course details have it: one select a competency and a last one to add
  // another, the choices cloned from the page's <template id=*choices*>. A value of the file that the
  // choices lack stays, shown as it is. A select set to "(remove it)" stays until the next drawing, so
  // arrowing through a select's options never takes it away from under the keyboard.
  function picker(values, choices, set) {
    var template = document.getElementById(choices), box = el("fieldset", { "class": "bf-picker" }, [el("legend", { text: t("competencies") })]);
    function row(value) {
      var select = el("select", { id: uid() });
      select.append(el("option", { value: "" }), template.content.cloneNode(true));
      if (value && ![].some.call(select.options, function (o) { return o.value === value; })) {
        select.options[0].after(el("option", { value: value, text: value }));
      }
      select.value = value;
      select.addEventListener("change", function () {
        var all = box.querySelectorAll("select"), chosen = [];
        all.forEach(function (other) { if (other.value && chosen.indexOf(other.value) < 0) chosen.push(other.value); });
        set(chosen);
        if (select.value && select === all[all.length - 1]) { box.append(row("")); relabel(); }
        record(); changed();
      });
      return el("div", { "class": "bf" }, [el("label", { "for": select.id }), select]);
    }
    function relabel() {
      var rows = box.querySelectorAll(".bf");
      rows.forEach(function (r, k) {
        var last = k === rows.length - 1;
        r.querySelector("label").textContent = last ? t("addCompetency") : t("competencyN", { n: k + 1 });
        r.querySelector("option").textContent = last ? t("none") : t("removeIt");
      });
    }
    values.concat([""]).forEach(function (v) { box.append(row(v)); });
    relabel();
    return box;
  }
  // The lesson's competencies are mappings; the picker's lines are "Area / Theme / Subtheme". A mapping
  // the lesson had is kept as it was (its level too) when its line is chosen again.
  function line(c) { return [c.area, c.theme, c.subtheme].filter(Boolean).join(" / "); }
  function lessonCompetencies(b) {
    var had = {};
    b.competencies.forEach(function (c) { had[line(c)] = c; });
    return picker(b.competencies.map(line), "competencies-lesson", function (chosen) {
      b.competencies.forEach(function (c) { had[line(c)] = c; });
      b.competencies = chosen.map(function (l) {
        var parts = l.split(" / ");
        return had[l] || { area: parts[0], theme: parts[1] || "", subtheme: parts.slice(2).join(" / "), level: null };
      });
    });
  }
  function lines(value) { return value.split("\n").map(function (s) { return s.trim(); }).filter(Boolean); }

  // Bold, italic and link insert Markdown around the selection of the text field
  function formatting(area, b, key) {
    function wrap(before, after, placeholder) {
      var s = area.selectionStart, e = area.selectionEnd, chosen = area.value.slice(s, e) || placeholder;
      area.focus(); area.setSelectionRange(s, e);
      var snippet = before + chosen + after, done = false;
      try { done = document.execCommand("insertText", false, snippet); } catch (err) { done = false; }
      if (!done || area.value.slice(s, s + snippet.length) !== snippet) area.setRangeText(snippet, s, e, "end");
      b[key] = area.value;
      area.setSelectionRange(s + before.length, s + before.length + chosen.length);
      if (typingTimer) clearTimeout(typingTimer);
      record(); changed();
    }
    function prefix(mark) {
      var s = area.selectionStart, e = area.selectionEnd, start = area.value.lastIndexOf("\n", s - 1) + 1;
      var chunk = area.value.slice(start, e).replace(/^/gm, mark);
      area.setRangeText(chunk, start, e, "end");
      b[key] = area.value; record(); changed(); area.focus();
    }
    var bar = el("div", { role: "toolbar", "aria-label": t("formatting"), "class": "toolbar" }, [
      button(t("bold"), null, function () { wrap("**", "**", t("boldText")); }),
      button(t("italic"), null, function () { wrap("_", "_", t("italicText")); }),
      button(t("link"), null, function () { wrap("[", "](https://example.org)", t("linkText")); }),
      button(t("bullets"), null, function () { prefix("- "); }),
      button(t("numbers"), null, function () { prefix("1. "); })
    ]);
    return bar;
  }
  function prose(b, key, label) {
    var box = input(label, b[key], function (v) { b[key] = v; }, { multiline: true, rows: 5 });
    box.prepend(formatting(box.querySelector("textarea"), b, key));
    return box;
  }

  // Media: a file of the course, or a new upload (the studio's upload endpoint, with progress)
  var EXT = { image: /\.(png|jpe?g|gif|svg|webp)$/i, video: /\.(mp4|webm|mov|m4v)$/i, audio: /\.(mp3|m4a|ogg|oga|wav|aac)$/i };
  function mediaFields(b, i) {
    var kind = b.type, textKey = kind === "image" ? "alt" : kind === "attachment" ? "text" : "title";
    var files = media.filter(function (f) { return kind === "attachment" ? !/\.(vtt)$/i.test(f) : EXT[kind].test(f); });
    if (b.src && files.indexOf(b.src) < 0) files.unshift(b.src);
    var choices = [["", t("chooseFile")]].concat(files.map(function (f) { return [f, f]; }));
    var out = el("p", { "class": "status upload-status", role: "status", "aria-live": "polite" });
    var bar = el("progress", { max: "100", value: "0", hidden: "hidden", "aria-label": t("uploadProgress") });
    var file = el("input", { type: "file", id: uid(), accept: kind === "attachment" ? null : kind + "/*" });
    var upload = button(t("upload"), t("uploadFor", { n: i + 1 }), function () {
      if (!file.files.length) { out.textContent = t("chooseFirst"); file.focus(); return; }
      var form = new FormData();
      form.append("file", file.files[0]); form.append("alt", b[textKey] || "");
      window.KS_UPLOAD(root.dataset.media, token, form, bar, out, t, function (data) {
        if (media.indexOf(data.path) < 0) media.push(data.path);
        var index = blocks.indexOf(b);
        change(function () { b.src = data.path; }, index);  // one step of the history: Undo takes it back
        var shown = list.querySelector('.block[data-i="' + index + '"] .upload-status');
        if (shown) shown.textContent = t("uploaded", { path: data.path });
      });
    });
    var textLabel = t(kind === "image" ? "altText" : kind === "attachment" ? "linkText" : "mediaTitle");
    return [
      input(t("fileInCourse"), b.src, function (v) { b.src = v; }, { choices: choices }),
      el("div", { "class": "bf" }, [el("label", { "for": file.id, text: t("newFile") }), file, upload, bar]), out,
      input(textLabel, b[textKey], function (v) { b[textKey] = v; }, { required: kind === "image" })
    ];
  }

  function tableFields(b) {
    var cols = b.rows[0].length, grid = el("div", { "class": "bt-grid", style: "--cols:" + cols });
    b.rows.forEach(function (row, r) {
      row.forEach(function (cell, c) {
        var name = r === 0 ? t("headerCell", { c: c + 1 }) : t("cell", { r: r, c: c + 1 });
        grid.append(input(name, cell, function (v) { row[c] = v; }));
      });
    });
    var i = blocks.indexOf(b);
    return [grid, el("p", { "class": "actions" }, [
      button(t("addRow"), null, function () { change(function () { b.rows.push(b.rows[0].map(function () { return ""; })); }, i); }),
      b.rows.length > 1 ? button(t("removeRow"), null, function () { change(function () { b.rows.pop(); }, i); }) : null,
      button(t("addColumn"), null, function () { change(function () { b.rows.forEach(function (r) { r.push(""); }); }, i); }),
      cols > 1 ? button(t("removeColumn"), null, function () { change(function () { b.rows.forEach(function (r) { r.pop(); }); b.align = b.align.slice(0, cols - 1); }, i); }) : null
    ])];
  }

  function questionFields(b, q, n) {
    var i = blocks.indexOf(b), Q = t("questionN", { n: n + 1 }), parts = [
      el("h4", { text: Q + " · " + t("q_" + q.kind) }),
      input(t("prompt"), q.prompt, function (v) { q.prompt = v; })
    ];
    if (q.kind === "single" || q.kind === "multiple") {
      q.options.forEach(function (o, k) {
        var name = t("optionN", { n: k + 1 });
        parts.push(el("fieldset", { "class": "bq-option" }, [el("legend", { text: name }),
          input(t("optionText"), o.text, function (v) { o.text = v; }),
          input(t("correct"), o.correct, function (v) {
            if (v && q.kind === "single") q.options.forEach(function (other) { other.correct = false; });
            o.correct = v;
            if (q.kind === "single") setTimeout(function () { render(i); }, 0);
          }, { type: "checkbox" }),
          input(t("feedback"), o.feedback, function (v) { o.feedback = v; }),
          q.options.length > 2 ? button(t("removeOption"), t("removeOptionN", { n: k + 1, q: n + 1 }), function () {
            change(function () { q.options.splice(k, 1); }, i);
          }, "secondary") : null]));
      });
      parts.push(button(t("addOption"), t("addOptionTo", { q: n + 1 }), function () {
        change(function () { q.options.push({ text: "", correct: false, feedback: "" }); }, i);
      }, "secondary"));
    } else if (q.kind === "fill") {
      parts.push(input(t("answers"), q.answers.join("\n"), function (v) { q.answers = lines(v); }, { multiline: true, rows: 3 }));
    } else if (q.kind === "order") {
      parts.push(input(t("items"), q.items.join("\n"), function (v) { q.items = lines(v); }, { multiline: true, rows: 4 }));
    } else {
      q.pairs.forEach(function (pair, k) {
        parts.push(el("fieldset", { "class": "bq-pair" }, [el("legend", { text: t("pairN", { n: k + 1 }) }),
          input(t("left"), pair[0], function (v) { pair[0] = v; }), input(t("right"), pair[1], function (v) { pair[1] = v; })]));
      });
      parts.push(button(t("addPair"), t("addPairTo", { q: n + 1 }), function () { change(function () { q.pairs.push(["", ""]); }, i); }, "secondary"));
    }
    parts.push(
      input(t("explanation"), q.explanation, function (v) { q.explanation = v; }, { multiline: true, rows: 2 }),
      input(t("points"), q.points, function (v) { q.points = number(v) || 1; }, { type: "number", min: 1, max: 100 }),
      picker(q.competency, "competencies-question", function (v) { q.competency = v; }),
      button(t("removeQuestion"), t("removeQuestionN", { n: n + 1 }), function () { change(function () { b.questions.splice(n, 1); }, i); }, "secondary")
    );
    return el("fieldset", { "class": "bq" }, [el("legend", { "class": "visually-hidden", text: Q })].concat(parts));
  }

  function quizFields(b) {
    var i = blocks.indexOf(b);
    var parts = [
      input(t("quizKind"), b.kind, function (v) { b.kind = v; }, { choices: [["quiz", t("graded")], ["check", t("ungraded")]] }),
      input(t("intro"), b.intro, function (v) { b.intro = v; }, { multiline: true, rows: 2 }),
      el("div", { "class": "bq-options" }, [
        input(t("passMark"), b.pass_mark, function (v) { b.pass_mark = number(v); }, { type: "number", min: 0, max: 100 }),
        input(t("draw"), b.draw, function (v) { b.draw = number(v); }, { type: "number", min: 1, max: 1000 }),
        input(t("attempts"), b.attempts, function (v) { b.attempts = number(v); }, { type: "number", min: 1, max: 100 }),
        input(t("shuffle"), b.shuffle, function (v) { b.shuffle = v; }, { type: "checkbox" })
      ])
    ];
    b.questions.forEach(function (q, n) { parts.push(questionFields(b, q, n)); });
    var adds = ["single", "multiple", "fill", "order", "match"].map(function (k) {
      return button(t("q_" + k), t("addQuestion", { kind: t("q_" + k), n: i + 1 }), function () {
        change(function () { b.questions.push(question(k)); }, i, t("questionAdded", { kind: t("q_" + k) }));
        var fields = list.querySelectorAll('.block[data-i="' + i + '"] .bq');
        var last = fields[fields.length - 1];
        if (last) last.querySelector("input").focus();
      }, "secondary");
    });
    parts.push(el("div", { role: "group", "aria-label": t("addQuestionGroup"), "class": "actions" }, [el("span", { text: t("addQuestionLead") })].concat(adds)));
    return parts;
  }

  function fields(b, i) {
    switch (b.type) {
      case "front": return [input(t("title"), b.title, function (v) { b.title = v; }, { required: true }),
        input(t("minutes"), b.minutes, function (v) { b.minutes = decimal(v); }, { type: "number", min: 0.5, max: 600, step: "any" }),
        input(t("lessonId"), b.id, function (v) { b.id = v.trim(); }),
        input(t("objectives"), b.objectives.join("\n"), function (v) { b.objectives = lines(v); }, { multiline: true, rows: 3 }),
        lessonCompetencies(b)];
      case "text": return [prose(b, "markdown", t("text"))];
      case "heading": return [
        // level 1 is the lesson's own title in the player: offered only to a heading the text has at it
        input(t("level"), String(b.level), function (v) { b.level = parseInt(v, 10); }, { choices: (b.level === 1 ? [["1", t("h1")]] : []).concat([["2", t("h2")], ["3", t("h3")], ["4", t("h4")]]) }),
        input(t("headingText"), b.text, function (v) { b.text = v; })];
      case "image": case "video": case "audio": case "attachment": return mediaFields(b, i);
      case "callout": return [
        input(t("calloutKind"), b.kind, function (v) { b.kind = v; }, { choices: ["note", "tip", "warning", "important"].map(function (k) { return [k, t("c_" + k)]; }) }),
        prose(b, "markdown", t("text"))];
      case "reflection": return [prose(b, "markdown", t("reflectionText"))];
      case "table": return tableFields(b);
      case "quiz": return quizFields(b);
      default: return [el("pre", { "class": "raw" }, [el("code", { text: b.text })]),
        el("p", {}, [el("a", { href: document.getElementById("to-markdown").href, text: t("editInMarkdown") })])];
    }
  }

  // ---- the list: each block a labelled region with its buttons; "Add" menus between blocks
  function addMenu(after) {  // kinds to add after block *after* (-1: at the start of the body)
    var id = uid(), where = after < 0 ? t("atStart") : t("afterBlock", { n: after + 1 });
    var menu = el("div", { id: id, hidden: "hidden", role: "group", "aria-label": t("addMenu", { where: where }), "class": "add-kinds" },
      KINDS.map(function (k) {
        return button(t("kind_" + k), t("addKind", { kind: t("kind_" + k), where: where }), function () {
          change(function () { blocks.splice(after + 1, 0, fresh(k)); }, after + 1, t("added", { kind: t("kind_" + k), n: after + 2 }));
          var first = list.querySelector('.block[data-i="' + (after + 1) + '"] .block-body input, .block[data-i="' + (after + 1) + '"] .block-body textarea');
          if (first) first.focus();
        }, "secondary");
      }));
    var toggle = el("button", { type: "button", "class": "add-toggle", "aria-expanded": "false", "aria-controls": id,
      "aria-label": t("addHere", { where: where }), text: "+ " + t("add") });
    toggle.addEventListener("click", function () {
      var open = menu.hidden;
      menu.hidden = !open; toggle.setAttribute("aria-expanded", String(open));
      if (open) menu.querySelector("button").focus();
    });
    return el("div", { "class": "add" }, [toggle, menu]);
  }

  function move(i, to) {
    if (to < (blocks[0].type === "front" ? 1 : 0) || to >= blocks.length) return;
    var name = named(i);
    change(function () { blocks.splice(to, 0, blocks.splice(i, 1)[0]); }, to, t("moved", { name: name, n: to + 1 }));
  }
  function remove(i) {
    var name = named(i);
    change(function () { blocks.splice(i, 1); }, Math.min(i, blocks.length - 2), t("deleted", { name: name }));
  }
  function duplicate(i) {
    change(function () { blocks.splice(i + 1, 0, JSON.parse(JSON.stringify(blocks[i]))); }, i + 1, t("duplicated", { name: named(i) }));
  }

  function render(focusIndex) {
    list.textContent = "";
    blocks.forEach(function (b, i) {
      var name = named(i), quoted = t("blockName", { n: i + 1, name: name });
      var tools = b.type === "front" ? [] : [
        button("↑", t("moveUp", { block: quoted }), function () { move(i, i - 1); }),
        button("↓", t("moveDown", { block: quoted }), function () { move(i, i + 1); }),
        button(t("duplicate"), t("duplicateBlock", { block: quoted }), function () { duplicate(i); }, "secondary"),
        button(t("delete"), t("deleteBlock", { block: quoted }), function () { remove(i); }, "secondary")
      ];
      var headingId = uid();
      var section = el("section", { "class": "block block-" + b.type, "data-i": i, tabindex: "-1", "aria-labelledby": headingId }, [
        el("div", { "class": "block-head" }, [el("h3", { id: headingId, text: (i + 1) + ". " + (b.type === "front" ? t("kind_front") : t("kind_" + b.type)) }),
          el("div", { "class": "block-tools" }, tools)]),
        el("div", { "class": "block-body" }, fields(b, i))
      ]);
      if (b.type !== "front") {
        section.addEventListener("keydown", function (event) {
          if (!event.altKey || (event.key !== "ArrowUp" && event.key !== "ArrowDown")) return;
          event.preventDefault();
          move(i, event.key === "ArrowUp" ? i - 1 : i + 1);
        });
        section.draggable = false;
        var grip = el("span", { "class": "grip", "aria-hidden": "true", draggable: "true", title: t("drag"), text: "⠿" });
        grip.addEventListener("dragstart", function (e) { e.dataTransfer.setData("text/plain", String(i)); section.classList.add("dragging"); });
        grip.addEventListener("dragend", function () { section.classList.remove("dragging"); });
        section.querySelector(".block-head").prepend(grip);
        section.addEventListener("dragover", function (e) { e.preventDefault(); });
        section.addEventListener("drop", function (e) {
          e.preventDefault();
          var from = parseInt(e.dataTransfer.getData("text/plain"), 10);
          if (!isNaN(from) && from !== i) move(from, i);
        });
      }
      list.append(el("li", {}, [section]));
      if (i < blocks.length - 1) list.append(el("li", { "class": "between" }, [addMenu(i)]));
    });
    var end = document.getElementById("add-end");
    end.textContent = "";
    end.append(addMenu(blocks.length - 1));
    if (focusIndex !== null && focusIndex !== undefined) {
      var target = list.querySelector('.block[data-i="' + Math.max(0, focusIndex) + '"]');
      if (target) target.focus();
    }
  }

  // ---- start: the lesson's blocks, read from its newest revision
  fetch(root.dataset.load, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
    blocks = data.blocks; base = data.base; seen = data.seen || null; savedState = snapshot(); loaded = true;
    record(); render(null);
    say(seen ? t("outside", { n: base }) : t("unchanged", { n: base }));
    preview(data.text);
  }).catch(function () { say(t("notLoaded")); });
})();
