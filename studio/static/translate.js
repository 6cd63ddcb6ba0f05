// The translator's segment editor: filters, keyboard flow, autosave, chips, inline QA, memory, comments.
// Text from the course is only ever put into the page with textContent (lesson text is untrusted).
(function () {
  "use strict";
  const root = document.querySelector(".tr-layout");
  if (!root) return;
  const data = JSON.parse(document.getElementById("tr-data").textContent);
  const rows = data.rows;
  const token = document.querySelector('meta[name="csrf-token"]').content;
  const $ = (id) => document.getElementById(id);
  const editor = document.querySelector(".tr-editor");
  const text = $("tr-text"), fuzzyBox = $("tr-fuzzy"), status = $("tr-status");
  const editing = root.dataset.editing === "1";
  const PLACEHOLDER = /\]\(\{(\d+)\}\)/g;
  const CODE = /(`+)[^`]+?\1/g;
  let current = -1;
  let timer = null, qaTimer = null;
  let saving = Promise.resolve();
  let matches = [];
  const T = JSON.parse($("tr-strings").textContent);  // messages in the interface's language
  function t(key, values) {
    return T[key].replace(/\{(\w+)\}/g, (all, name) => (values && values[name] !== undefined ? values[name] : all));
  }
  const stateName = (state) => T.states[state] || state;

  function el(tag, props, children) {
    const node = document.createElement(tag);
    Object.assign(node, props || {});
    (children || []).forEach((c) => node.append(c));
    return node;
  }

  async function call(url, body) {
    const options = body === undefined ? {} : {
      method: "POST", body: JSON.stringify(body),
      headers: { "Content-Type": "application/json", "X-CSRFToken": token, Accept: "application/json" },
    };
    const response = await fetch(url, options);
    let json = {};
    try { json = await response.json(); } catch (e) { /* not JSON: an error page */ }
    return { ok: response.ok, status: response.status, json: json };
  }

  // Filters ----------------------------------------------------------------------------------
  const items = Array.from(document.querySelectorAll("#tr-segments li"));
  function visible(row) {
    const filter = $("tr-filter").value;
    const query = $("tr-search").value.trim().toLowerCase();
    const byState = filter === "all" || row.state === filter || (filter === "review" && row.state === "translated");
    return byState && (!query || row.source.toLowerCase().includes(query) || row.translation.toLowerCase().includes(query));
  }
  function applyFilter() {
    let shown = 0;
    items.forEach((li, n) => { li.hidden = !visible(rows[n]); shown += !li.hidden; });
    $("tr-count").textContent = shown + " / " + rows.length;
    if (current >= 0 && items[current].hidden) {
      const first = items.findIndex((li) => !li.hidden);
      if (first >= 0) select(first, false);
    }
  }
  $("tr-filter").addEventListener("change", applyFilter);
  $("tr-search").addEventListener("input", applyFilter);

  // Showing a segment ------------------------------------------------------------------------
  function sourceWithTerms(row) {
    const out = [];
    let at = 0;
    row.terms.forEach((term) => {
      out.push(row.source.slice(at, term.start));
      const mark = el("mark", { className: "term", textContent: row.source.slice(term.start, term.end) });
      mark.title = term.dnt ? T.dnt : "→ " + term.translation + (term.note ? " (" + term.note + ")" : "");
      out.push(mark, el("span", { className: "visually-hidden", textContent: " (" + t("glossary", { term: mark.title }) + ")" }));
      at = term.end;
    });
    out.push(row.source.slice(at));
    return out;
  }

  function chipsOf(row) {
    const found = [];
    for (const m of row.source.matchAll(PLACEHOLDER)) found.push({ text: "](" + "{" + m[1] + "})", label: "{" + m[1] + "} " + (row.targets[+m[1] - 1] || "") });
    for (const m of row.source.matchAll(CODE)) found.push({ text: m[0], label: m[0] });
    return found;
  }

  function insert(snippet) {
    const start = text.selectionStart, end = text.selectionEnd;
    text.setRangeText(snippet, start, end, "end");
    text.focus();
    changed();
  }

  function select(n, focus) {
    if (n < 0 || n >= rows.length) return;
    flush();
    current = n;
    const row = rows[n];
    items.forEach((li, i) => li.querySelector("a").toggleAttribute("aria-current", i === n));
    editor.hidden = false;
    $("tr-place").textContent = (data.lessons[row.lesson] || row.file) + " · " + row.file + ":" + row.line;
    $("tr-kind").textContent = t("segment", { n: row.n, count: rows.length, kind: row.kind_text, state: stateName(row.state) });
    $("tr-source").replaceChildren(...sourceWithTerms(row));
    $("tr-terms").replaceChildren(...row.terms.map((term) => el("li", {
      textContent: term.term + (term.dnt ? " — " + T.dnt : " → " + term.translation) + (term.note ? " (" + term.note + ")" : ""),
    })));
    const diff = $("tr-diff");
    diff.hidden = !row.previous;
    if (row.previous) {
      $("tr-old").replaceChildren(...row.diff.filter((s) => s[0] !== "add").map((s) => s[0] === "del" ? el("del", { textContent: s[1] }) : s[1]));
      $("tr-new").replaceChildren(...row.diff.filter((s) => s[0] !== "del").map((s) => s[0] === "add" ? el("ins", { textContent: s[1] }) : s[1]));
    }
    $("tr-chips").replaceChildren(...chipsOf(row).map((c, i) => {
      const b = el("button", { type: "button", className: "chip", textContent: c.label });
      b.setAttribute("aria-label", t("insert", { label: c.label }));
      b.addEventListener("click", () => insert(c.text));
      b.disabled = !editing;
      return b;
    }));
    text.value = row.translation;
    fuzzyBox.checked = row.state === "fuzzy";
    fuzzyBox.disabled = !editing;
    status.textContent = "";
    runQa();
    loadMemory(row);
    loadComments(row);
    const frame = $("tr-frame");
    const want = root.dataset.player + (data.lessons[row.lesson] ? "#/" + row.lesson : "");
    if (frame.dataset.lesson !== row.lesson) { frame.dataset.lesson = row.lesson; frame.src = want; }
    if (location.hash !== "#s" + row.n) history.replaceState(null, "", "#s" + row.n);
    if (focus !== false) text.focus();
  }

  items.forEach((li, n) => li.querySelector("a").addEventListener("click", (e) => { e.preventDefault(); select(n); }));

  function step(from, dir, test) {
    for (let n = from + dir; n >= 0 && n < rows.length; n += dir) {
      if (!items[n].hidden && (!test || test(rows[n]))) return n;
    }
    return -1;
  }

  // Saving -----------------------------------------------------------------------------------
  function changed() {
    const row = rows[current];
    if (row && row.state === "fuzzy" && fuzzyBox.checked && text.value !== row.translation) fuzzyBox.checked = false;
    clearTimeout(timer);
    timer = setTimeout(() => save(), 1200);
    clearTimeout(qaTimer);
    qaTimer = setTimeout(runQa, 300);
    status.textContent = T.notSavedYet;
  }
  text.addEventListener("input", changed);
  fuzzyBox.addEventListener("change", () => { clearTimeout(timer); save(); });

  function flush() { if (timer) { clearTimeout(timer); timer = null; save(); } }

  function save() {
    timer = null;
    if (!editing || current < 0) return saving;
    const n = current, row = rows[n], value = text.value, fuzzy = fuzzyBox.checked;
    if (value === row.translation && (row.state === "fuzzy") === fuzzy) return saving;
    saving = saving.then(async () => {
      status.textContent = T.saving;
      const r = await call(root.dataset.save, { id: row.id, text: value, fuzzy: fuzzy, expected: row.translation });
      if (r.ok) {
        row.translation = r.json.translation;
        setState(n, r.json.state);
        status.textContent = t("saved", { n: r.json.revision });
        if (n === current) showQa(r.json.problems);
        reloadPreview(row);
      } else if (r.status === 409 && r.json.error === "conflict") {
        status.textContent = t("conflict", { theirs: r.json.theirs });
        row.translation = r.json.theirs;
      } else {
        status.textContent = t("notSaved", { error: r.json.error || t("error", { status: r.status }) });
      }
    });
    return saving;
  }

  function setState(n, state) {
    rows[n].state = state;
    const badge = items[n].querySelector(".badge");
    badge.className = "badge " + state;
    badge.textContent = stateName(state);
    items[n].dataset.state = state;
  }

  function reloadPreview(row) {
    const frame = $("tr-frame");
    if (data.lessons[row.lesson]) frame.src = root.dataset.player + "?t=" + Date.now() + "#/" + row.lesson;
  }

  async function saveAndNext() {
    clearTimeout(timer);
    fuzzyBox.checked = false;
    await save();
    const next = step(current, 1);
    if (next >= 0) select(next);
  }

  // QA, memory, comments -----------------------------------------------------------------------
  async function runQa() {
    const row = rows[current];
    if (!row) return;
    const value = text.value;
    if (!value.trim()) { showQa([]); return; }
    const r = await call(root.dataset.qa, { id: row.id, text: value });
    if (r.ok && rows[current] === row && text.value === value) showQa(r.json.problems);
  }
  function showQa(problems) {
    $("tr-qa").replaceChildren(...problems.map((p) => el("li", { className: p.severity }, [
      el("span", { className: "sev", textContent: p.severity }), " " + p.message,
    ])));
  }

  async function loadMemory(row) {
    // the previous segment's matches go at once: a "Use" clicked while this segment's are on their way
    // would put the other segment's translation here
    matches = [];
    $("tr-memory").replaceChildren();
    $("tr-memory").setAttribute("aria-busy", "true");
    const r = await call(root.dataset.memory + "?id=" + encodeURIComponent(row.id));
    if (rows[current] !== row) return;
    $("tr-memory").removeAttribute("aria-busy");
    matches = r.ok ? r.json.matches : [];
    $("tr-memory").replaceChildren(...(matches.length ? matches.map((m) => {
      const use = el("button", { type: "button", className: "secondary", textContent: T.use });
      use.setAttribute("aria-label", t("useMatch", { score: m.score, course: m.course }));
      use.disabled = !editing;
      use.addEventListener("click", () => { if (rows[current] !== row) return; text.value = m.translation; text.focus(); changed(); });
      return el("li", {}, [
        el("span", { className: "score", textContent: m.score + "%" }), " ",
        el("span", { className: "meta", textContent: m.course }), el("br"),
        el("span", { textContent: m.source }), el("br"),
        el("span", { lang: root.dataset.lang, dir: "auto", textContent: m.translation }), " ", use,
      ]);
    }) : [el("li", { className: "meta", textContent: T.noMatches })]));
  }

  async function loadComments(row) {
    $("tr-comments").replaceChildren();  // not another segment's comments while this one's load
    const r = await call(root.dataset.comments + "?id=" + encodeURIComponent(row.id));
    if (rows[current] === row && r.ok) showComments(r.json.comments);
  }
  function showComments(list) {
    $("tr-comments").replaceChildren(...(list.length ? list.map((c) => el("li", {}, [
      el("span", { className: "meta", textContent: c.by + ", " + c.at + ": " }), c.body,
    ])) : [el("li", { className: "meta", textContent: T.noComments })]));
  }
  $("tr-comment-send").addEventListener("click", async () => {
    const row = rows[current], body = $("tr-comment").value.trim();
    if (!row || !body) return;
    const r = await call(root.dataset.comment, { id: row.id, body: body });
    if (r.ok) { $("tr-comment").value = ""; showComments(r.json.comments); status.textContent = "Question sent to the author."; }
  });

  // Buttons and keys ------------------------------------------------------------------------------
  function nextFuzzy() {
    let n = step(current, 1, (r) => r.state === "fuzzy");
    if (n < 0) n = step(-1, 1, (r) => r.state === "fuzzy");
    if (n >= 0) select(n); else status.textContent = T.noFuzzy;
  }
  function copySource() { text.value = rows[current].source; text.focus(); changed(); }
  function nextChip() {
    const missing = chipsOf(rows[current]).find((c) => !text.value.includes(c.text));
    if (missing) insert(missing.text);
  }
  const on = (id, fn) => { const b = $(id); if (b) b.addEventListener("click", fn); };
  on("tr-next", saveAndNext);
  on("tr-copy", copySource);
  on("tr-next-fuzzy", nextFuzzy);
  on("tr-review", async () => {
    flush();
    await saving;
    const row = rows[current];
    const r = await call(root.dataset.review, { id: row.id });
    if (r.ok) { setState(current, "reviewed"); status.textContent = T.markedReviewed; }
    else status.textContent = t("notReviewed", { error: r.json.error || t("error", { status: r.status }) });
  });

  document.addEventListener("keydown", (e) => {
    if (current < 0 || !(e.ctrlKey || e.metaKey)) return;
    const key = e.key.toLowerCase();
    let done = true;
    if (key === "enter" && editing) saveAndNext();
    else if (key === "b" && editing) copySource();
    else if (key === "f" && e.shiftKey) nextFuzzy();
    else if (key === "i" && editing) nextChip();
    else if (key === "m" && editing && matches.length) { text.value = matches[0].translation; changed(); }
    else if (key === "arrowdown") select(Math.max(current, step(current, 1)));
    else if (key === "arrowup") { const p = step(current, -1); if (p >= 0) select(p); }
    else done = false;
    if (done) e.preventDefault();
  });
  window.addEventListener("beforeunload", flush);

  applyFilter();
  const fromHash = /^#s(\d+)$/.exec(location.hash);
  select(fromHash ? +fromHash[1] - 1 : Math.max(0, items.findIndex((li) => li.dataset.state !== "translated" && li.dataset.state !== "reviewed")), false);
})();
