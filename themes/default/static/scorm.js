/* Karmayogi Studio LMS adapter for SCORM 1.2 and SCORM 2004 4th edition. Plain ES2017, no network of its own.
   index.html loads it after course.js and before player.js; it registers a tracker (docs/theme.md) in
   window.KS_TRACKERS. KS_COURSE.lms = {api: "scorm12" | "scorm2004", igot: bool}. What it reports, and
   why, is in docs/lms.md. */
(() => {
  "use strict";
  const W = window, COURSE = W.KS_COURSE, cfg = COURSE && COURSE.lms, core = W.KS_CORE;
  if (!cfg) return;
  const V12 = cfg.api == "scorm12", IGOT = !!cfg.igot, LIMIT = V12 ? 4096 : 64000, NAME = V12 ? "API" : "API_1484_11";
  /* suspend_data is also budgeted in bytes of UTF-8: LMSs (Moodle) re-send every element on each commit, and the
     commit made as the page closes goes in a beacon or keepalive request, which browsers refuse over 64 KB. 12,000
     bytes stay under it even percent-encoded (three bytes each), with room for the interactions. */
  const BYTES = 12000;
  const F = V12
    ? ["LMSInitialize", "LMSGetValue", "LMSSetValue", "LMSCommit", "LMSFinish", "LMSGetLastError", "LMSGetErrorString"]
    : ["Initialize", "GetValue", "SetValue", "Commit", "Terminate", "GetLastError", "GetErrorString"];
  const CMI = V12
    ? { status: "cmi.core.lesson_status", location: "cmi.core.lesson_location", entry: "cmi.core.entry",
        exit: "cmi.core.exit", time: "cmi.core.session_time", raw: "cmi.core.score.raw", min: "cmi.core.score.min",
        max: "cmi.core.score.max", learner: "cmi.core.student_id", suspend: "cmi.suspend_data" }
    : { location: "cmi.location", entry: "cmi.entry", exit: "cmi.exit", time: "cmi.session_time",
        raw: "cmi.score.raw", min: "cmi.score.min", max: "cmi.score.max", scaled: "cmi.score.scaled",
        completion: "cmi.completion_status", success: "cmi.success_status", progress: "cmi.progress_measure",
        learner: "cmi.learner_id", suspend: "cmi.suspend_data" };
  const LESSON_IDS = COURSE.lessons.map(l => l.id), QUIZZES = COURSE.quizzes || [], REFLECTION_IDS = COURSE.reflections || [];
  let api = null, KS = null, progress = null, live = false, ended = false, queued = false, failing = 0, retry = 0,
    sent = {}, count = 0;
  const t0 = Date.now(), slots = {}, shortened = {}; /* reflection id -> the beginning the LMS gave back */

  /* ---- small helpers ---- */
  const pad = (n, w) => String(n).padStart(w || 2, "0");
  /* real numbers as short decimals (SCORM 2004 real(10,7); 1.2 CMIDecimal): 2 of 9 points is "22.22" and
     "0.2222", never the float 0.22219999999999998 that LMSs store as given */
  const real = (x, d) => String(+(+x).toFixed(d));
  const b36 = n => Math.max(0, Math.round(n)).toString(36), n36 = s => parseInt(s, 36) || 0;
  const num = core.idNumber, hash = core.hash;
  const say = key => KS && KS.notice && KS.notice(key && KS.t(key));

  /* ---- the LMS API: the standard search up the parent frames, then the opener's ---- */
  const scan = w => {
    for (let i = 0; w && i < 500; i++) {
      try { if (w[NAME]) return w[NAME]; } catch (e) { /* a frame of another origin: keep climbing */ }
      let up = null;
      try { up = w.parent; } catch (e) { return null; }
      if (!up || up == w) break;
      w = up;
    }
    return null;
  };
  const opener = () => { try { return (W.top && W.top.opener) || W.opener; } catch (e) { return W.opener; } };
  const call = (i, ...a) => {
    try { return String(api[F[i]](...a)); } catch (e) { console.warn("LMS " + F[i] + " failed:", e); return "false"; }
  };
  const code = () => parseInt(call(5), 10) || 0; /* iGOT answers "" */
  const get = k => { const v = call(1, k); return v == "undefined" || v == "null" ? "" : v; };
  const set = (k, v) => {
    v = String(v);
    if (sent[k] === v) return true;
    if (call(2, k, v) == "false" && code()) { /* iGOT returns the value itself, never "true" */
      console.warn("LMS refused " + k + ": " + code() + " " + call(6, String(code())));
      return false;
    }
    sent[k] = v;
    return true;
  };
  function commit() {
    queued = false;
    if (!live) return;
    if (call(3, "") == "true" || IGOT) { /* iGOT's LMSCommit answers false even when it saved */
      if (failing) { failing = 0; say(null); }
      return;
    }
    failing++;
    say("lmsError");
    clearTimeout(retry);
    retry = setTimeout(() => { sent = {}; write(); commit(); }, Math.min(60000, 1000 * 2 ** Math.min(failing, 6)));
  }
  const soon = () => { if (!queued) { queued = true; Promise.resolve().then(commit); } };

  /* ---- times ---- */
  const span = ms => { /* 1.2 CMITimespan HHHH:MM:SS.SS, 2004 ISO 8601 duration */
    const cs = Math.round(ms / 10), s = Math.floor(cs / 100), h = Math.min(9999, Math.floor(s / 3600)),
      m = Math.floor(s / 60) % 60, x = s % 60, f = pad(cs % 100);
    return V12 ? `${pad(h, 4)}:${pad(m)}:${pad(x)}.${f}` : `PT${h}H${m}M${x}.${f}S`;
  };
  const clock = () => {
    const d = new Date(), hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
    return V12 ? hms : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${hms}`;
  };

  /* ---- suspend_data: progress packed by the course's structure, to fit SCORM 1.2's 4,096 characters.
     K1|sig|seed|saves|lesson|visited|quiz;quiz…|reflection;reflection…   (docs/lms.md has the grammar) */
  const SIG = hash(LESSON_IDS.join(" ")) + "." + hash(QUIZZES.map(q => q.id + ":" + q.questions.map(x => x.id).join(",")).join(" ") + "/" + REFLECTION_IDS.join(" "));
  const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const bits = f => {
    let s = "";
    for (let i = 0; i < f.length; i += 6) {
      let v = 0;
      for (let j = 0; j < 6; j++) if (f[i + j]) v |= 1 << j;
      s += B64[v];
    }
    return s.replace(/A+$/, "");
  };
  const unbits = (s, n) => Array.from({ length: n }, (_, i) => (Math.max(0, B64.indexOf(s[i / 6 | 0] || "A")) >> i % 6 & 1) == 1);
  const esc = s => String(s).replace(/[%|;:,=\x00-\x1f]/g, c => "%" + pad(c.charCodeAt(0).toString(16)));
  const unesc = s => s.replace(/%([0-9a-f]{2})/gi, (m, h) => String.fromCharCode(parseInt(h, 16)));
  const encR = (kind, v) => {
    if (kind == "single") return b36(num(v));
    if (kind == "multiple") return [].concat(v).map(x => b36(num(x))).join(".");
    if (kind == "fill") return esc(v);
    return Object.keys(v).sort((a, b) => num(a) - num(b)).map(k => b36(kind == "order" ? +v[k] : num(v[k]))).join(".");
  };
  const decR = (kind, s) => {
    if (kind == "single") return "o" + n36(s);
    if (kind == "multiple") return s ? s.split(".").map(x => "o" + n36(x)) : [];
    if (kind == "fill") return unesc(s);
    const v = {};
    s.split(".").forEach((x, i) => { v[(kind == "order" ? "i" : "l") + (i + 1)] = kind == "order" ? String(n36(x)) : "r" + n36(x); });
    return v;
  };
  const utf8 = s => new TextEncoder().encode(s).length;
  let cutAt = Infinity; /* the length, in characters, reflections were cut to by the last encode() */
  function encode(progress, budget, bytes) {
    bytes = bytes || BYTES;
    const fits = s => s.length <= budget && utf8(s) <= bytes;
    const ci = LESSON_IDS.indexOf(progress.current),
      head = ["K1", SIG, b36(progress.seed >>> 0), b36(progress.saves || 0), ci < 0 ? "" : b36(ci), bits(LESSON_IDS.map(id => progress.visited.includes(id)))];
    const quizzes = (noFill, noAnswers) => QUIZZES.map((q, qi) => {
      const z = progress.quizzes[q.id], ids = q.questions.map(x => x.id);
      if (!z) return null;
      const ans = noAnswers && z.best ? [] : ids.map((id, i) => {
        const a = (z.answers || {})[id], kind = q.questions[i].kind;
        return a && b36(i) + "=" + (a[1] ? 1 : 0) + (noFill && kind == "fill" ? "" : encR(kind, a[0]));
      }).filter(Boolean);
      return [b36(qi), b36(z.attempt || 1), z.best ? z.best.map(b36).join(".") : "", z.drawn ? bits(ids.map(id => z.drawn.includes(id))) : "", ans.join(",")].join(":");
    }).filter(Boolean).join(";");
    /* a reflection the LMS holds only the beginning of is marked "~", so another device can say so too */
    const join = (qs, rs) => head.concat([qs, rs.map(r => b36(r[0]) + (r[2] ? "~" : "") + ":" + esc(r[1])).join(";")]).join("|");
    const texts = REFLECTION_IDS.map((id, i) => [i, Array.from(progress.reflections[id] || ""), shortened[id] === progress.reflections[id]]).filter(r => r[1].length);
    /* Reflections give way first: each is cut to one common length, the longest that fits (docs/lms.md);
       then fill-in texts (their verdicts stay); then the answers of finished quizzes (their scores stay). */
    for (const [noFill, noAnswers] of [[false, false], [true, false], [true, true]]) {
      const qs = quizzes(noFill, noAnswers);
      if (!fits(join(qs, []))) continue;
      const cut = c => texts.map(r => [r[0], r[1].slice(0, c).join(""), r[2] || r[1].length > c]).filter(r => r[1]);
      let cap = Infinity;
      if (!fits(join(qs, cut(cap)))) { /* the longest common length that fits, in characters and in bytes */
        let lo = 0, hi = Math.max(0, ...texts.map(r => r[1].length));
        while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (fits(join(qs, cut(mid)))) lo = mid; else hi = mid - 1; }
        cap = lo;
      }
      cutAt = cap;
      return join(qs, cut(cap));
    }
    cutAt = 0;
    return join("", []);
  }
  function decode(str) {
    const p = String(str || "").split("|");
    if (p[0] != "K1" || p.length < 8) return null;
    const sig = (p[1] || "").split("."), mine = SIG.split("."), s = { seed: n36(p[2]), saves: n36(p[3]), visited: [], quizzes: {}, reflections: {} };
    if (sig[0] == mine[0]) { /* the same lessons: the bookmark and visited lessons are still meaningful */
      if (p[4]) s.current = LESSON_IDS[n36(p[4])];
      const seen = unbits(p[5], LESSON_IDS.length);
      s.visited = LESSON_IDS.filter((id, i) => seen[i]);
    }
    if (sig[1] != mine[1]) return s; /* quizzes or reflections changed in a new version: start them afresh */
    p[6].split(";").filter(Boolean).forEach(e => {
      const [qi, a, b, d, ans] = e.split(":"), q = QUIZZES[n36(qi)];
      if (!q) return;
      const ids = q.questions.map(x => x.id), z = s.quizzes[q.id] = { answers: {} };
      if (n36(a) > 1) z.attempt = n36(a); /* the runtime leaves the first attempt's number out */
      if (b) z.best = b.split(".").map(n36);
      if (d) { const f = unbits(d, ids.length); z.drawn = ids.filter((id, i) => f[i]); }
      (ans || "").split(",").filter(Boolean).forEach(x => {
        const k = x.indexOf("="), qq = q.questions[n36(x.slice(0, k))];
        if (qq) z.answers[qq.id] = [decR(qq.kind, x.slice(k + 2)), +x[k + 1]];
      });
    });
    p[7].split(";").filter(Boolean).forEach(e => {
      const k = e.indexOf(":"), id = REFLECTION_IDS[n36(e.slice(0, k).replace("~", ""))];
      if (id) s.reflections[id] = unesc(e.slice(k + 1));
      if (id && e[k - 1] == "~") (s.cut = s.cut || []).push(id);
    });
    return s;
  }

  /* ---- interactions: one record per answered graded question, in each version's own response format ---- */
  const CH = "abcdefghijklmnopqrstuvwxyz0123456789"; /* SCORM 1.2 choice, sequencing and matching use single characters */
  const short = id => { const n = num(id); return n >= 1 && n <= CH.length ? CH[n - 1] : id; };
  /* the response format of each version (core.encodeResponse); an LMS keeps at most 5 correct fill-in answers */
  const FORMAT = V12
    ? { list: ",", pair: ".", id: short, text: v => String(v).slice(0, 255), answer: a => a.slice(0, 255), answers: 5 }
    : { list: "[,]", pair: "[.]", id: id => id, text: v => core.plainText(v).slice(0, 250),
        answer: a => "{case_matters=false}" + a.slice(0, 250), answers: 5 };
  function interaction(a) {
    /* 1.2 journals (its interactions are write-only); 2004 keeps one record per question, updated on a retake */
    const n = !V12 && a.question in slots ? slots[a.question] : Math.max(count, parseInt(get("cmi.interactions._count"), 10) || 0);
    const p = "cmi.interactions." + n + ".";
    set(p + "id", a.question);
    set(p + "type", core.INTERACTION_TYPE[a.kind]);
    set(p + (V12 ? "time" : "timestamp"), clock());
    set(p + "weighting", real(a.max, 4));
    core.responsePatterns(a.kind, a.key, FORMAT).forEach((x, i) => set(p + "correct_responses." + i + ".pattern", x));
    set(p + (V12 ? "student_response" : "learner_response"), core.encodeResponse(a.kind, a.response, FORMAT));
    set(p + "result", a.correct ? "correct" : V12 ? "wrong" : "incorrect");
    if (!V12 && a.prompt) set(p + "description", a.prompt.replace(/^\{/, "(").slice(0, 250));
    if (!V12) slots[a.question] = n;
    count = Math.max(count, n + 1);
  }

  /* ---- status, score, bookmark and progress, written on every save ---- */
  function write() {
    const st = KS.status(), graded = QUIZZES.filter(q => q.graded), best = q => (progress.quizzes[q.id] || {}).best,
      finished = graded.length > 0 && graded.every(best), passed = st.passed === true, failed = st.passed === false && finished,
      done = st.completed && st.passed !== false;
    set(CMI.suspend, encode(progress, LIMIT));
    /* a reflection longer than the LMS can keep: the learner is told, under it (the whole text stays here) */
    if (KS.limit) REFLECTION_IDS.forEach(id => {
      const n = Array.from(progress.reflections[id] || "").length;
      KS.limit(id, n > cutAt ? cutAt : n && shortened[id] === progress.reflections[id] ? n : null);
    });
    const id = st.lesson || progress.current;
    if (id) set(CMI.location, id.length <= 255 ? id : "#" + LESSON_IDS.indexOf(id));
    if (st.maxPoints && graded.some(best)) { /* score before status: LMSs judge status by the score they hold */
      const ratio = st.points / st.maxPoints;
      set(CMI.min, 0); set(CMI.max, 100); set(CMI.raw, real(ratio * 100, 2));
      if (!V12) set(CMI.scaled, real(ratio, 4));
    }
    if (V12) set(CMI.status, passed && st.completed ? "passed" : failed ? "failed" : st.completed ? "completed" : "incomplete");
    else {
      const need = core.lessonsNeeded(st.total, COURSE.completion.lessons);
      set(CMI.progress, real(Math.min(1, st.visited / need), 3));
      set(CMI.completion, st.completed ? "completed" : "incomplete");
      set(CMI.success, passed ? "passed" : failed ? "failed" : "unknown");
    }
    set(CMI.exit, done ? (V12 ? "" : "normal") : "suspend");
    set(CMI.time, span(Date.now() - t0));
  }

  const tracker = {
    init(course, ks) {
      KS = ks;
      api = scan(W) || scan(opener());
      if (!api) return say("lmsMissing");
      const r = call(0, "");
      if (r != "true" && !IGOT && ![101, 103].includes(code())) return say("lmsMissing"); /* 101/103: already initialised */
      live = true;
      const who = get(CMI.learner);
      if (who) COURSE.storageKey += ":" + hash(who); /* a shared computer: each learner's own copy on this device */
      count = parseInt(get("cmi.interactions._count"), 10) || 0;
      if (!V12) for (let i = 0; i < count; i++) slots[get("cmi.interactions." + i + ".id")] = i;
    },
    load() {
      if (!live) return null; /* no LMS: the progress kept on this device */
      const raw = get(CMI.suspend), where = get(CMI.location); /* iGOT never says entry=resume: go by the data */
      const s = decode(raw) || {};
      if (!s.current && where) s.current = where[0] == "#" ? LESSON_IDS[+where.slice(1)] : where;
      /* This device's copy of the same attempt wins when it is newer: it has whole reflections and anything
         a failed commit did not carry. A copy of another attempt (another learner) is never used. */
      const local = KS.trackers.find(t => t.local), mine = local && local.load && local.load();
      const state = core.newerProgress(mine, s);
      if (state === s) (s.cut || []).forEach(id => { shortened[id] = s.reflections[id]; });
      delete s.cut;
      if (state.current && LESSON_IDS.includes(state.current) && !location.hash) {
        try { history.replaceState(null, "", "#/" + state.current); } catch (e) { /* sandboxed frame: start at home */ }
      }
      return state; /* never null when the LMS answered: a first launch starts afresh on a shared device */
    },
    save(state) { progress = state; if (live) { write(); soon(); } },
    onAnswer(a) { if (live && a.graded && a.key) { interaction(a); soon(); } },
    onHide(state) { progress = state; if (live) { write(); commit(); } },
    onExit(state, e) {
      progress = state;
      if (!live || ended) return;
      write();
      commit();
      if (IGOT || (e && e.persisted)) return; /* iGOT's LMSFinish deletes the record; a cached page may return */
      call(4, "");
      ended = true;
      live = false;
    }
  };
  const KSO = W.KS = W.KS || {};
  KSO.scorm = { encode: (s, b, n) => encode(s, b || LIMIT, n), decode, limit: LIMIT, bytes: BYTES };
  (W.KS_TRACKERS = W.KS_TRACKERS || []).push(tracker);
})();
