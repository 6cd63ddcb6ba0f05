/* Karmayogi Studio player runtime. Plain ES2017: no framework, no build step, no network.
   course.js sets window.KS_COURSE = {...}; each lesson file calls KS.lesson(id, html, data).
   Trackers (progress stores and reporters) are objects with optional init(course, KS), load(), save(state)
   and on* hooks. Register them before DOMContentLoaded with KS.addTracker(t) / KS.setTracker(t) from a
   deferred script after player.js, or with window.KS_TRACKERS = [t] from a script before it. */
(() => {
  "use strict";
  const D = document, W = window, KS = W.KS = W.KS || {}, core = W.KS_CORE;
  const EN = { /* English defaults; keys as in packager/strings.py (course.strings) */
    previous: "Previous", next: "Next", finish: "Finish", resume: "Continue",
    progressText: ["{done} of {total} lesson", "{done} of {total} lessons"], completed: "(completed)",
    loading: "Loading…", loadError: "This lesson could not be loaded.", tryAgain: "Try again",
    correct: "Correct", incorrect: "Not quite", chooseFirst: "Choose an answer first",
    points: ["{n} point", "{n} points"], quizScore: ["Score: {score} of {max} point ({percent}%)", "Score: {score} of {max} points ({percent}%)"],
    quizPassed: "Passed", quizFailed: "Not passed yet", attemptsLeft: "Attempts left: {n}", noAttemptsLeft: "No attempts left",
    courseComplete: "You have completed this course.", courseIncomplete: ["Visited {done} of {total} lesson.", "Visited {done} of {total} lessons."],
    coursePassed: "You passed with {percent}%.", courseFailed: "Your score is {percent}%; the pass mark is {pass}%.",
    saved: "Saved",
    reflectionCut: "Your learning platform keeps only the first {n} characters of this reflection; the whole text stays in this browser on this device.",
    noStorage: "Your browser is not keeping progress on this device; it will be lost when you close the page."
  };
  let course, progress, cur = null, started = false, moved = false, last = "", slot, homeEl, pager, toggle;
  const cache = {}, timers = {}, limits = {};

  const $ = (s, r) => (r || D).querySelector(s);
  const $$ = (s, r) => Array.from((r || D).querySelectorAll(s));
  /* Interface text: course.strings (from locales/player/<lang>.po); an array is a plural message, its form
     chosen by the catalog's rule (window.KS_PLURAL, in course.js) from {n} (or {total}, {max}). Numbers are
     grouped as the language writes them (course.numbers, from Babel); in right-to-left text other values
     are isolated (FSI…PDI) so an English title does not scramble an Urdu line. */
  const COUNT = { progressText: "total", courseIncomplete: "total", quizScore: "max" };
  const num = v => {
    const F = course.numbers || {}, sz = F.sizes || [3, 3], neg = v < 0, p = String(Math.abs(v)).split(".");
    let i = p[0], out = i.length > sz[0] ? i.slice(-sz[0]) : i;
    i = i.length > sz[0] ? i.slice(0, -sz[0]) : "";
    while (i) { out = i.slice(-sz[1]) + (F.group || ",") + out; i = i.slice(0, -sz[1]); }
    return (neg ? "-" : "") + out + (p[1] ? (F.decimal || ".") + p[1] : "");
  };
  const OPS = {
    "%": (a, b) => a % b, "<": (a, b) => +(a < b), ">": (a, b) => +(a > b), "<=": (a, b) => +(a <= b),
    ">=": (a, b) => +(a >= b), "==": (a, b) => +(a == b), "!=": (a, b) => +(a != b), "&&": (a, b) => +(a && b), "||": (a, b) => +(a || b)
  };
  const LEVELS = [["||"], ["&&"], ["==", "!="], ["<", ">", "<=", ">="], ["%"]];
  const pluralForm = (src, n) => { /* the catalog's gettext rule, e.g. "(n != 1)", read without eval */
    const tk = String(src || "(n != 1)").match(/\d+|n|&&|\|\||[=!<>]=|[<>?:%()!]/g) || [];
    let i = 0;
    const prim = () => { const x = tk[i++]; if (x == "(") { const v = tern(); i++; return v; } return x == "!" ? +!prim() : x == "n" ? n : +x; };
    const lvl = d => { if (d == LEVELS.length) return prim(); let v = lvl(d + 1); while (LEVELS[d].includes(tk[i])) v = OPS[tk[i++]](v, lvl(d + 1)); return v; };
    const tern = () => { const c = lvl(0); if (tk[i] != "?") return c; i++; const a = tern(); i++; const b = tern(); return c ? a : b; };
    return +tern() || 0;
  };
  KS.pluralForm = pluralForm;
  const t = (k, a) => {
    let v = (course.strings || {})[k] || EN[k] || k;
    if (Array.isArray(v)) v = v[Math.max(0, Math.min(v.length - 1, pluralForm(course.plural, Number((a || {})[COUNT[k] || "n"]) || 0)))];
    return v.replace(/\{(\w+)\}/g, (m, x) => !a || a[x] == null ? m
      : typeof a[x] == "number" ? num(a[x]) : course.dir == "rtl" ? "\u2068" + a[x] + "\u2069" : String(a[x]));
  };
  const add = (p, tag, cls, txt) => {
    const e = p.appendChild(D.createElement(tag));
    if (cls) e.className = cls;
    if (txt != null) e.textContent = txt;
    return e;
  };
  const say = (e, txt) => { if (e) { e.textContent = ""; setTimeout(() => { e.textContent = txt; }, 60); } };
  const hook = (n, ...a) => KS.trackers.forEach(tr => {
    if (typeof tr[n] == "function") try { tr[n](...a); } catch (e) { console.error(e); }
  });
  const norm = s => String(s).normalize("NFC").toLowerCase().trim().replace(/\s+/g, " ");
  const idx = id => course.lessons.findIndex(l => l.id == id);

  /* ---- trackers: the default keeps progress in localStorage ---- */
  const local = {
    local: true,
    load() { try { return core.restoredProgress(JSON.parse(localStorage.getItem(course.storageKey))); } catch (e) { return null; } },
    save(s) { try { localStorage.setItem(course.storageKey, JSON.stringify(core.storedProgress(s))); } catch (e) { /* private mode */ } }
  };
  KS.trackers = [local].concat(KS.trackers || [], W.KS_TRACKERS || []);
  KS.addTracker = tr => KS.trackers.push(tr);
  KS.setTracker = tr => { KS.trackers = [tr]; };
  KS.lesson = (id, html, data) => { cache[id] = { html, data: data || {} }; };
  KS.course = d => { course = d; start(); };
  KS.state = () => progress;
  KS.flush = () => flush(); /* reflections typed but not yet saved: a tracker's Exit saves them first */
  KS.status = () => status();
  KS.t = (k, a) => t(k, a);
  KS.limit = (id, n) => { /* a tracker's LMS keeps only the first n characters of reflection id (null: all of it) */
    if ((limits[id] == null ? null : limits[id]) === n) return;
    if (n == null) delete limits[id]; else limits[id] = n;
    const r = slot && $$(".ks-reflection", slot).find(x => x.dataset.reflection == id);
    if (r) limitNote(r);
  };
  KS.notice = txt => { /* a standing message about saving progress; null removes it */
    let n = $(".ks-notice");
    if (!txt) return n && n.remove();
    if (!n) { n = D.createElement("p"); n.className = "ks-notice"; n.setAttribute("role", "status"); $("#ks-main").insertBefore(n, $("#ks-main").firstChild); }
    if (n.textContent != txt) n.textContent = txt;
  };
  const save = () => { /* saves orders copies of progress kept in several places; completedAt: when the course was completed */
    progress.saves = (progress.saves || 0) + 1;
    if (!progress.completedAt && status().completed) progress.completedAt = Date.now();
    hook("save", progress); ui();
  };
  const date = ms => { /* CLDR's long date pattern of the language (course.dates, from Babel): "d MMMM y" */
    const F = course.dates || {}, d = new Date(ms), m = d.getMonth();
    return String(F.pattern || "d MMMM y").replace(/'([^']*)'|y+|M+|d+/g, (x, lit) => lit != null ? lit
      : x[0] == "y" ? String(d.getFullYear()) : x[0] == "d" ? String(d.getDate()).padStart(x.length, "0")
      : x.length > 3 ? (F.months || [])[m] || String(m + 1) : x.length == 3 ? (F.short || [])[m] || String(m + 1) : String(m + 1).padStart(x.length, "0"));
  };

  /* ---- seeded shuffling: the seed is kept in progress, so orders and draws stay put ---- */
  const rng = key => {
    let h = core.fnv(key, progress.seed);
    return () => { /* mulberry32 */
      h = h + 0x6D2B79F5 | 0;
      let x = Math.imul(h ^ h >>> 15, 1 | h);
      x = x + Math.imul(x ^ x >>> 7, 61 | x) ^ x;
      return ((x ^ x >>> 14) >>> 0) / 4294967296;
    };
  };
  const shuffle = (a, key) => {
    const r = rng(key);
    a = a.slice();
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  };

  /* ---- scoring ---- */
  const zq = id => progress.quizzes[id] || (progress.quizzes[id] = {});
  const quizOf = sec => (course.quizzes || []).find(q => q.id == sec.dataset.quiz) ||
    { id: sec.dataset.quiz, graded: sec.dataset.graded == "true", questions: $$(".ks-q", sec).map(f => ({ id: f.dataset.q })) };
  const qd = id => cache[cur] && (cache[cur].data.questions || {})[id];
  const pts = (quiz, id) => {
    const q = quiz.questions.find(x => x.id == id), d = qd(id);
    return q && q.points != null ? q.points : d && d.points != null ? d.points : 1;
  };
  const drawn = quiz => {
    const z = progress.quizzes[quiz.id] || {}, ids = quiz.questions.map(q => q.id);
    return z.drawn || (quiz.draw && quiz.draw < ids.length ? shuffle(ids, quiz.id + "#" + (z.attempt || 1)).slice(0, quiz.draw) : ids);
  };
  const passes = (quiz, r) => r.got * 100 >= quiz.pass * r.max;
  const score = quiz => {
    const q = (progress.quizzes[quiz.id] || {}).answers || {}, r = { got: 0, max: 0, n: 0 }, ids = drawn(quiz);
    ids.forEach(id => {
      const p = pts(quiz, id);
      r.max += p;
      if (q[id]) { r.n++; if (q[id][1]) r.got += p; }
    });
    r.done = ids.length > 0 && r.n == ids.length;
    r.pct = r.max ? Math.round(r.got * 100 / r.max) : 0;
    return r;
  };
  const status = () => {
    const lessons = course.lessons, cp = course.completion || {}, ps = cp.passScore, n = lessons.filter(l => progress.visited.includes(l.id)).length;
    let got = 0, max = 0;
    (course.quizzes || []).forEach(quiz => {
      if (!quiz.graded) return;
      const r = score(quiz), b = (progress.quizzes[quiz.id] || {}).best || [r.got, r.max]; /* best finished attempt, else the current one */
      got += b[0]; max += b[1];
    });
    return {
      visited: n, total: lessons.length, completed: n >= core.lessonsNeeded(lessons.length, cp.lessons),
      points: got, maxPoints: max, score: max ? Math.round(got * 100 / max) : null,
      passed: ps == null || !max ? null : got * 100 >= ps * max, lesson: cur
    };
  };

  /* ---- header progress, contents, home status ---- */
  function ui() {
    const st = status(), p = $("#ks-progress"), pt = $(".ks-progress-text"), hs = $(".ks-status"), go = $(".ks-start"),
      txt = t("progressText", { done: st.visited, total: st.total });
    if (p) { p.max = st.total || 1; p.value = st.visited; p.setAttribute("aria-valuetext", txt); }
    if (pt) pt.textContent = txt;
    $$("#ks-toc a[data-lesson]").forEach(a => {
      const id = a.dataset.lesson, done = progress.visited.includes(id), vh = $(".ks-vh", a);
      a.classList.toggle("ks-done", done);
      if (done && !vh) add(a, "span", "ks-vh", " " + t("completed"));
      if (!done && vh) vh.remove();
      if (id == cur) a.setAttribute("aria-current", "page"); else a.removeAttribute("aria-current");
    });
    if (hs && !homeEl.hidden) {
      const ln = [st.completed ? t("courseComplete") : t("courseIncomplete", { done: st.visited, total: st.total })];
      if (st.completed && progress.completedAt) ln.push(t("completedOn", { date: date(progress.completedAt) }));
      if (st.passed != null) ln.push(t(st.passed ? "coursePassed" : "courseFailed", { percent: st.score, pass: course.completion.passScore }));
      if (hs.textContent != ln.join("")) { hs.textContent = ""; ln.forEach(l => add(hs, "p", "", l)); }
    }
    if (go && progress.current && idx(progress.current) >= 0) {
      go.href = "#/" + progress.current; go.textContent = t("resume");
      const named = $("#ks-start-lesson");
      if (named) named.textContent = course.lessons[idx(progress.current)].title;
    }
    hook("onStatus", st);
    const key = st.completed + "/" + st.passed;
    if (last && key != last) hook("onCompletion", st);
    last = key;
  }

  /* ---- routing: #/<lesson id>; no hash or #ks-home = home; other hashes (footnotes) keep the view ---- */
  function route() {
    flush();
    const h = location.hash;
    let id = null;
    if (h.startsWith("#/")) {
      try { id = decodeURIComponent(h.slice(2)); } catch (e) { id = h.slice(2); }
      if (idx(id) < 0) id = null;
    } else if (h && h != "#ks-home" && moved) return;
    const nav = moved; /* the first view after page load does not move focus */
    moved = true;
    if (!id) home(nav); else if (id != cur || slot.hidden) open(id, nav);
  }
  function home(nav) {
    cur = null;
    homeEl.hidden = false; slot.hidden = pager.hidden = true; slot.textContent = "";
    D.title = course.title;
    ui();
    if (nav) { W.scrollTo(0, 0); $("h1", homeEl).focus(); }
  }
  function open(id, nav) {
    const i = idx(id), lessons = course.lessons, a = $(".ks-prev", pager), b = $(".ks-next", pager), end = i == lessons.length - 1;
    cur = progress.current = id;
    homeEl.hidden = true; slot.hidden = pager.hidden = false;
    a.href = i ? "#/" + lessons[i - 1].id : "#ks-home";
    a.textContent = t("previous");
    b.href = end ? "#ks-home" : "#/" + lessons[i + 1].id;
    b.textContent = t(end ? "finish" : "next");
    D.title = lessons[i].title + " — " + course.title;
    if (cache[id]) return render(id, nav);
    slot.textContent = "";
    add(slot, "p", "ks-loading", t("loading"));
    const s = D.createElement("script");
    s.src = lessons[i].file;
    s.onload = s.onerror = () => {
      s.remove();
      if (cur != id) return;
      if (cache[id]) return render(id, nav);
      slot.textContent = "";
      add(slot, "p", "ks-error", t("loadError")).setAttribute("role", "alert");
      add(add(slot, "p"), "button", "ks-button ks-reload", t("tryAgain")).type = "button";
    };
    D.head.appendChild(s);
  }
  function render(id, nav) {
    slot.innerHTML = cache[id].html; /* trusted build output; learner input only ever goes to .value/.textContent */
    $$(".ks-quiz", slot).forEach(initQuiz);
    $$(".ks-reflection", slot).forEach(r => { const ta = $("textarea", r); if (ta) ta.value = progress.reflections[r.dataset.reflection] || ""; limitNote(r); });
    const fresh = !progress.visited.includes(id), h = $("h1", slot);
    if (fresh) { progress.visited.push(id); hook("onLessonVisited", id, status()); }
    save();
    if (!nav) return;
    W.scrollTo(0, 0);
    if (h) h.focus();
    say($(".ks-announce"), h ? h.textContent : D.title);
  }

  /* ---- questions ---- */
  function initQuiz(sec) {
    const quiz = quizOf(sec), q = (progress.quizzes[quiz.id] || {}).answers || {};
    if (quiz.draw && !(progress.quizzes[quiz.id] || {}).drawn) zq(quiz.id).drawn = drawn(quiz);
    const d = drawn(quiz);
    $$(".ks-q", sec).forEach(f => {
      const id = f.dataset.q, box = $(".ks-options", f), key = quiz.id + "/" + id;
      if (!d.includes(id)) return f.remove();
      if (box && box.dataset.shuffle == "true") {
        if (f.dataset.kind == "match") {
          const sel = $$("select", box), vals = shuffle(sel.length ? $$("option", sel[0]).map(o => o.value).filter(Boolean) : [], key);
          sel.forEach(s => vals.forEach(v => $$("option", s).forEach(o => { if (o.value == v) s.appendChild(o); })));
        } else shuffle(Array.from(box.children), key).forEach(e => box.appendChild(e));
      }
      if (q[id]) { setR(f, q[id][0]); mark(f, q[id][1], quiz.graded, pts(quiz, id), true); }
    });
    result(sec, quiz);
  }
  const rowKey = r => r.dataset.i || r.dataset.l;
  const choice = k => k == "single" || k == "multiple";
  function getR(f) {
    const k = f.dataset.kind;
    if (choice(k)) {
      const v = $$(".ks-opt input", f).filter(i => i.checked).map(i => i.value);
      return v.length ? (k == "single" ? v[0] : v) : null;
    }
    if (k == "fill") { const v = $(".ks-fill", f).value.trim(); return norm(v) ? v : null; }
    const v = {}, rows = $$(".ks-row", f);
    rows.forEach(r => { v[rowKey(r)] = $("select", r).value; });
    return rows.every(r => v[rowKey(r)]) ? v : null; /* every row must be answered */
  }
  function setR(f, v) {
    const k = f.dataset.kind;
    if (choice(k)) $$(".ks-opt input", f).forEach(i => { i.checked = [].concat(v).includes(i.value); });
    else if (k == "fill") $(".ks-fill", f).value = v;
    else $$(".ks-row", f).forEach(r => { $("select", r).value = v[rowKey(r)] || ""; });
  }
  function isOk(k, v, d) {
    const c = d.correct || [];
    if (k == "single") return c.includes(v);
    if (k == "multiple") return v.length == c.length && c.every(x => v.includes(x));
    if (k == "fill") return (d.answers || []).map(norm).includes(norm(v));
    if (k == "order") return c.every((id, i) => v[id] == String(i + 1));
    return Object.keys(c).every(l => v[l] == c[l]);
  }
  function mark(f, ok, g, p, quiet) {
    const c = (qd(f.dataset.q) || {}).correct || [], x = $(".ks-explanation", f), b = $(".ks-submit", f),
      txt = t(ok ? "correct" : "incorrect") + (g ? ". " + t("points", { n: ok ? p : 0 }) : "");
    f.classList.toggle("ks-right", !!ok);
    f.classList.toggle("ks-wrong", !ok);
    $$(".ks-opt", f).forEach(o => {
      const on = $("input", o).checked, fb = $(".ks-opt-fb", o), right = c.includes(o.dataset.o);
      o.classList.toggle("ks-ok", on && right);
      o.classList.toggle("ks-no", on && !right);
      if (fb) fb.hidden = !on;
    });
    if (quiet) $(".ks-feedback", f).textContent = txt; else say($(".ks-feedback", f), txt);
    if (x) x.hidden = false;
    if (g) { $("fieldset", f).disabled = true; if (b) b.setAttribute("aria-disabled", "true"); }
  }
  function result(sec, quiz) {
    const el = $(".ks-quiz-result", sec), r = score(quiz), A = quiz.attempts, left = A - ((progress.quizzes[quiz.id] || {}).attempt || 1);
    if (!el) return;
    el.textContent = "";
    if (!quiz.graded || !r.done) return;
    add(el, "p", "ks-score", t("quizScore", { score: r.got, max: r.max, percent: r.pct }));
    if (quiz.pass != null) add(el, "p", passes(quiz, r) ? "ks-pass" : "ks-fail", t(passes(quiz, r) ? "quizPassed" : "quizFailed"));
    if (A) add(el, "p", "ks-attempts", left > 0 ? t("attemptsLeft", { n: left }) : t("noAttemptsLeft"));
    if (!A || left > 0) add(el, "button", "ks-button ks-retry", t("tryAgain")).type = "button";
  }
  function submit(f) {
    const sec = f.closest(".ks-quiz"), quiz = quizOf(sec), z = zq(quiz.id), id = f.dataset.q, k = f.dataset.kind,
      g = !!quiz.graded, d = qd(id), v = getR(f);
    if (g && (z.answers || {})[id]) return; /* locked */
    if (v == null) {
      f.classList.remove("ks-right", "ks-wrong");
      return say($(".ks-feedback", f), t("chooseFirst"));
    }
    if (!d) return;
    const ok = isOk(k, v, d) ? 1 : 0, p = pts(quiz, id);
    (z.answers = z.answers || {})[id] = [v, ok];
    mark(f, ok, g, p);
    const r = score(quiz);
    if (g && r.done && (!z.best || r.got * z.best[1] > z.best[0] * r.max)) z.best = [r.got, r.max];
    save();
    hook("onAnswer", { quiz: quiz.id, question: id, kind: k, response: v, correct: !!ok, points: ok ? p : 0, max: p, graded: g, lesson: cur,
      key: d, prompt: ($(".ks-prompt", f) || f).textContent.trim() });
    if (g && r.done) hook("onQuizResult", { quiz: quiz.id, points: r.got, max: r.max, percent: r.pct, passed: quiz.pass == null ? null : passes(quiz, r), attempt: z.attempt || 1 });
    result(sec, quiz);
  }
  function retry(sec) {
    const quiz = quizOf(sec), z = zq(quiz.id);
    if (quiz.attempts && (z.attempt || 1) >= quiz.attempts) return;
    flush();
    z.attempt = (z.attempt || 1) + 1; z.answers = {}; delete z.drawn;
    render(cur);
    const s = $$(".ks-quiz", slot).find(s => s.dataset.quiz == quiz.id), h = s && $("h2", s);
    if (h) { h.tabIndex = -1; h.focus(); }
  }

  /* ---- reflections: saved as the learner types (after a second's pause), and at once when the text box or the
     course's window loses focus: an LMS (iGOT) may record its exit before the course unloads ---- */
  const flush = () => Object.keys(timers).forEach(k => { clearTimeout(timers[k][0]); keep(timers[k][1], timers[k][2]); });
  function keep(r, ta) {
    const id = r.dataset.reflection, v = ta.value, s = $(".ks-saved", r);
    delete timers[id];
    if (v) progress.reflections[id] = v; else delete progress.reflections[id];
    save();
    hook("onReflection", id, v);
    if (s) s.textContent = t("saved");
  }

  function limitNote(r) { /* under the text box, and read with it (aria-describedby) */
    const n = limits[r.dataset.reflection], ta = $("textarea", r);
    let p = $(".ks-limit", r);
    if (n == null) { if (p) p.remove(); if (ta) ta.removeAttribute("aria-describedby"); return; }
    if (!p) {
      p = add(r, "p", "ks-limit");
      p.setAttribute("role", "status");
      if (ta) { p.id = ta.id + "-limit"; ta.setAttribute("aria-describedby", p.id); }
    }
    const txt = t("reflectionCut", { n });
    if (p.textContent != txt) p.textContent = txt;
  }

  /* ---- start ---- */
  const setToc = o => { toggle.setAttribute("aria-expanded", o); D.body.classList.toggle("ks-toc-open", o); };
  function start() {
    course = course || W.KS_COURSE;
    if (started || !course || D.readyState == "loading") return;
    started = true;
    slot = $("#ks-lesson"); homeEl = $("#ks-home"); pager = $(".ks-pager"); toggle = $(".ks-toc-toggle");
    hook("init", course, KS);
    for (let i = KS.trackers.length - 1; i >= 0 && !progress; i--) {
      const s = KS.trackers[i].load && KS.trackers[i].load();
      if (s && typeof s == "object") progress = s;
    }
    progress = Object.assign({ seed: Math.random() * 4294967296 >>> 0, visited: [], quizzes: {}, reflections: {} }, progress, { version: 1 });
    try { localStorage.setItem(course.storageKey + "?", 1); localStorage.removeItem(course.storageKey + "?"); } catch (e) {
      if (KS.trackers.every(tr => tr.local)) KS.notice(t("noStorage"));
    }
    W.addEventListener("hashchange", route);
    D.addEventListener("submit", e => {
      const f = e.target.closest(".ks-q");
      if (f) { e.preventDefault(); submit(f); }
    });
    D.addEventListener("click", e => {
      const b = e.target.closest("button, a");
      if (!b) return;
      if (b == toggle) return setToc(toggle.getAttribute("aria-expanded") != "true");
      if (b.classList.contains("ks-retry")) return retry(b.closest(".ks-quiz"));
      if (b.classList.contains("ks-reload")) return open(cur, true);
      if (b.closest("#ks-toc")) {
        const h = cur && $("h1", slot);
        setToc(false);
        if (h && b.getAttribute("href") == location.hash) h.focus();
      }
    });
    D.addEventListener("change", e => { /* a check answered again: clear the old verdict until resubmitted */
      const f = e.target.closest(".ks-q");
      if (!f || !f.matches(".ks-right, .ks-wrong")) return;
      f.classList.remove("ks-right", "ks-wrong");
      $(".ks-feedback", f).textContent = "";
      $$(".ks-opt", f).forEach(o => o.classList.remove("ks-ok", "ks-no"));
      $$(".ks-opt-fb", f).forEach(x => { x.hidden = true; });
    });
    D.addEventListener("keydown", e => {
      if (e.key == "Escape" && D.body.classList.contains("ks-toc-open")) { setToc(false); toggle.focus(); }
    });
    D.addEventListener("input", e => {
      const ta = e.target, r = ta.tagName == "TEXTAREA" && ta.closest(".ks-reflection");
      if (!r) return;
      const id = r.dataset.reflection, s = $(".ks-saved", r);
      if (s) s.textContent = "";
      if (timers[id]) clearTimeout(timers[id][0]);
      timers[id] = [setTimeout(() => keep(r, ta), 1000), r, ta];
    });
    D.addEventListener("focusout", e => { if (e.target.closest && e.target.closest(".ks-reflection")) flush(); });
    W.addEventListener("blur", flush); /* a click in the LMS around the course frame */
    W.addEventListener("pagehide", e => { flush(); hook("onExit", progress, e); });
    D.addEventListener("visibilitychange", () => { if (D.visibilityState == "hidden") { flush(); hook("onHide", progress); } });
    route();
  }
  /* player.js is deferred: start at DOMContentLoaded, after any later deferred tracker scripts have run */
  D.addEventListener("DOMContentLoaded", start);
  W.addEventListener("load", start);
  if (D.readyState == "complete") start();
})();
