/* Karmayogi Studio tracker for xAPI (Rustici launch: endpoint, auth, actor, registration, activity_id) and cmi5
   (endpoint, fetch, actor, registration, activityId). Plain ES2017. index.html loads it after course.js and
   before player.js; it registers a tracker (docs/theme.md) in window.KS_TRACKERS. KS_COURSE.lms comes from
   packager/export/xapi_core.py. What it sends, and when, is in docs/lms.md. */
(() => {
  "use strict";
  const W = window, COURSE = W.KS_COURSE, cfg = COURSE && COURSE.lms, core = W.KS_CORE;
  if (!cfg || !/^(xapi|cmi5)$/.test(cfg.api)) return;
  const CMI5 = cfg.api == "cmi5", V = "http://adlnet.gov/expapi/verbs/", A = "http://adlnet.gov/expapi/activities/",
    X = "https://w3id.org/xapi/cmi5/context/", LANG = cfg.lang || COURSE.lang, STATE = "karmayogi-studio.progress",
    VER = String(COURSE.version || ""), KX = "urn:karmayogi-studio:xapi:",
    P = new URLSearchParams(location.search), MOD = CMI5 && P.get("module") ? +P.get("module") - 1 : null;
  /* the AU's scope: the whole course, or one module (cmi5 --au-per module) */
  const LS = COURSE.lessons.filter(l => MOD == null || l.module == MOD).map(l => l.id),
    GQ = (COURSE.quizzes || []).filter(x => x.graded && LS.includes(x.lesson));
  let KS = null, progress = null, live = false, normal = true, mode = "Normal", mastery = null, tpl = {}, auth = "",
    endpoint = "", actor = null, who = "", reg = "", au = "", key = "", last = 0, queue = [], busy = false, fails = 0,
    rejected = false, shown = false, timer = 0, stateTimer = 0, putting = false, dirty = false,
    ended = false, holding = false, judged = false, lesson = null, checking = false, returnUrl = "", inflight = null, flying = 0,
    closing = false, prefs = {};
  /* unsure: ids of statements sent without an answer (a lost connection, a page closed): the LRS may hold them,
     so they are looked up before being sent again; CATAPULT refuses a copy (cmi5 9.3.0.0-2) */
  const t0 = Date.now(), done = {}, pending = {}, unsure = new Set();
  const KEEPALIVE = 60000; /* bytes: Chromium refuses keepalive bodies over 64 KB in flight, all requests together */

  /* ---- small helpers ---- */
  const uuid = () => {
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = b[6] & 15 | 64; b[8] = b[8] & 63 | 128;
    const h = Array.from(b, x => (x + 256).toString(16).slice(1)).join("");
    return [h.slice(0, 8), h.slice(8, 12), h.slice(12, 16), h.slice(16, 20), h.slice(20)].join("-");
  };
  /* strictly increasing timestamps: cmi5 orders a session's statements by them (§9.3) */
  const stamp = () => { last = Math.max(Date.now(), last + 1); return new Date(last).toISOString(); };
  const dur = ms => {
    const s = Math.max(0, ms) / 1000;
    return `PT${Math.floor(s / 3600)}H${Math.floor(s % 3600 / 60)}M${Math.round(s % 60 * 100) / 100}S`;
  };
  const hash = core.hash;
  const name = s => ({ [LANG]: s });
  const act = (id, type, title, more) => ({ objectType: "Activity", id, definition: Object.assign({ type, name: name(title) }, more) });
  const enc = s => encodeURIComponent(s);
  const headers = json => Object.assign({ "X-Experience-API-Version": "1.0.3" }, auth ? { Authorization: auth } : {},
    json ? { "Content-Type": "application/json" } : {});
  const stateUrl = id => endpoint + "activities/state?" + new URLSearchParams(Object.assign(
    { activityId: au, agent: who, stateId: id }, reg ? { registration: reg } : {}));
  const tell = () => { /* one standing notice: a rejected statement, else an LRS that does not answer */
    const txt = rejected ? KS.t("lrsRejected") : fails ? KS.t("lmsError") : null;
    if (txt || shown) KS.notice(txt);
    shown = !!txt;
  };

  /* ---- launch: synchronous, because the player loads progress synchronously at start ---- */
  function xhr(method, url, body, bare) {
    const r = new XMLHttpRequest();
    try {
      r.open(method, url, false);
      if (!bare) { const h = headers(body != null); Object.keys(h).forEach(k => r.setRequestHeader(k, h[k])); }
      r.send(body == null ? null : body);
      return r;
    } catch (e) { return { status: 0, responseText: "" }; }
  }
  const bytes = s => new Blob([s]).size;
  const json = r => { try { return r.status >= 200 && r.status < 300 ? JSON.parse(r.responseText) : null; } catch (e) { return null; } };
  function agent(a) { /* TinCan-era launchers send lists ({"name": ["…"], "account": [{accountName…}]}) */
    if (!a || typeof a != "object" || Array.isArray(a)) return null;
    const ifi = ["mbox", "mbox_sha1sum", "openid", "account"];
    /* a proper agent is used exactly as given: a cmi5 LMS compares it with the actor it issued (8.1.3.0-3),
       and an objectType it did not send is an altered actor */
    if (!Object.keys(a).some(k => Array.isArray(a[k])) && ifi.some(k => a[k])) return a;
    const out = { objectType: "Agent" }, one = v => Array.isArray(v) ? v[0] : v;
    if (a.name) out.name = one(a.name);
    ["mbox", "mbox_sha1sum", "openid"].forEach(k => { if (a[k]) out[k] = one(a[k]); });
    const acc = one(a.account);
    if (acc) out.account = { homePage: acc.homePage || acc.accountServiceHomePage, name: acc.name || acc.accountName };
    return out.mbox || out.mbox_sha1sum || out.openid || out.account ? out : null;
  }
  function launch() {
    endpoint = P.get("endpoint") || "";
    if (endpoint && !endpoint.endsWith("/")) endpoint += "/";
    try { actor = agent(JSON.parse(P.get("actor") || "null")); } catch (e) { actor = null; }
    who = actor && (CMI5 ? P.get("actor") : JSON.stringify(actor)); /* the agent parameter, as the LMS wrote it */
    reg = P.get("registration") || "";
    au = P.get(CMI5 ? "activityId" : "activity_id") || cfg.iri;
    if (!endpoint || !actor) return false;
    if (!CMI5) { auth = P.get("auth") || ""; return true; }
    const fetchUrl = P.get("fetch"), tk = "ks:cmi5:token:" + fetchUrl;
    if (!fetchUrl || !reg) return false;
    let token = null;
    try { token = sessionStorage.getItem(tk); } catch (e) { /* no session storage */ }
    if (!token) { /* the fetch URL answers once (§8.2): keep the token for a reload of this launch */
      token = (json(xhr("POST", fetchUrl, null, true)) || {})["auth-token"];
      if (!token) return false;
      try { sessionStorage.setItem(tk, token); } catch (e) { /* no session storage */ }
    }
    auth = "Basic " + token;
    const data = json(xhr("GET", stateUrl("LMS.LaunchData")));
    if (!data) return false;
    tpl = data.contextTemplate || {};
    mode = data.launchMode || "Normal";
    if (data.masteryScore != null && isFinite(data.masteryScore)) mastery = +data.masteryScore;
    try { /* where the learner goes back to on Exit (§10: the AU must navigate there when it is done) */
      const back = new URL(data.returnURL || "", location.href);
      if (data.returnURL && /^https?:$/.test(back.protocol)) returnUrl = back.href;
    } catch (e) { returnUrl = ""; }
    /* §11: the AU MUST read the learner's preferences at start (none: the defaults) */
    const lp = json(xhr("GET", endpoint + "agents/profile?" + new URLSearchParams({ agent: who, profileId: "cmi5LearnerPreferences" })));
    if (lp && typeof lp == "object") prefs = lp;
    return true;
  }
  /* audioPreference "off" mutes lesson media at start (§11.2; the learner may unmute). The package holds one
     language (§11.1 lets it keep it): a learner asking first for another is told so; initialized records the list */
  const wanted = () => String(prefs.languagePreference || "").split(",").map(s => s.trim()).filter(Boolean);
  function preferences() {
    const first = wanted()[0], main = document.getElementById("ks-main"), base = s => s.split("-")[0].toLowerCase();
    if (!first || base(first) == base(LANG) || !main) return;
    const named = tag => { try { return new Intl.DisplayNames([LANG], { type: "language" }).of(tag) || tag; } catch (e) { return tag; } };
    const p = main.insertBefore(document.createElement("p"), main.firstChild);
    p.className = "ks-callout ks-note ks-language";
    p.textContent = KS.t("languageOther", { course: named(LANG), language: named(base(first)) });
  }
  const muting = () => { if (prefs.audioPreference == "off") document.querySelectorAll("#ks-lesson video, #ks-lesson audio").forEach(m => { m.muted = true; }); };

  /* ---- statements: built at once (ids, timestamps, context), queued on this device, sent in order ---- */
  function context(extra) { /* the LMS's template first: we add to it, never overwrite it (cmi5 §10) */
    const c = JSON.parse(JSON.stringify(tpl || {})), ca = c.contextActivities = c.contextActivities || {};
    if (reg) c.registration = reg;
    if (!c.language) c.language = LANG;
    /* course.yml's version: xAPI's context.revision, for any LRS's reports, and our extension, read first by the
       studio (a template may set revision its own way; its values win, cmi5 §10). Not a grouping activity: our
       IRIs never change with the version, and an LRS keeps one definition per IRI */
    if (VER && c.revision == null) c.revision = VER;
    Object.keys(extra.ca || {}).forEach(k => {
      const have = ca[k] = [].concat(ca[k] || []);
      extra.ca[k].forEach(a => { if (!have.some(b => b.id == a.id)) have.push(a); });
      if (!have.length) delete ca[k];
    });
    if (!Object.keys(ca).length) delete c.contextActivities;
    c.extensions = Object.assign({}, extra.ext, VER ? { [KX + "course-version"]: VER } : null, c.extensions);
    if (!Object.keys(c.extensions).length) delete c.extensions;
    return c;
  }
  const unit = () => act(au, A + (MOD == null ? "course" : "module"), MOD == null ? COURSE.title : COURSE.modules[MOD].title);
  const competencies = ids => Array.from(new Set([].concat(...ids.map(id => cfg.lessons[id] || [])))).map(i => cfg.competencies[i]);
  function send(verb, object, result, extra) {
    if (ended && verb != "terminated") return null; /* nothing after terminated (cmi5 9.3.0.0-5) */
    const st = { id: uuid(), timestamp: stamp(), actor, verb: { id: (verb.includes(":") ? "" : V) + verb, display: { "en-US": verb } },
      object, context: context(extra || {}) };
    if (result) st.result = result;
    queue.push(st);
    keep();
    if (!closing && !holding) pump(); /* while the page closes, farewell() sends what is queued, in order, once */
    return st;
  }
  function defined(verb, result, ext) { /* cmi5-defined statements: the AU as object, the cmi5 and moveon categories */
    const cat = [{ id: X + "categories/cmi5" }];
    if (result && (result.success != null || result.completion != null)) cat.push({ id: X + "categories/moveon" });
    return send(verb, unit(), result, { ca: Object.assign(CMI5 ? { category: cat } : {}, verb != "initialized" && verb != "terminated" ? { other: competencies(LS) } : {}), ext });
  }
  function keep() {
    try { localStorage.setItem(key, JSON.stringify({ q: queue, d: done, u: Array.from(unsure) })); } catch (e) { /* private mode: kept in memory */ }
  }
  const call = async (url, init) => { try { return (await fetch(url, init)).status; } catch (e) { return 0; } };
  const stored = async (url, id) => { /* 200 if the LRS holds statement id, 404 if not (some LRSs answer an empty
    list with 200), else the failure */
    try {
      const r = await fetch(url, { headers: headers(false) });
      if (r.status != 200) return r.status;
      const doc = await r.json().catch(() => null);
      return doc && doc.id == id ? 200 : 404;
    } catch (e) { return 0; }
  };
  async function pump() {
    if (busy || !live || closing) return;
    busy = true;
    while (queue.length && !closing) {
      const st = queue[0], url = endpoint + "statements?statementId=" + enc(st.id);
      let code = 0;
      if (unsure.has(st.id)) { /* sent before without an answer: does the LRS have it? */
        code = await stored(url, st.id);
        if (code == 200) code = 204; /* it does: done, not sent twice */
        else if (code >= 400 && code < 500 && ![401, 403, 429].includes(code)) { unsure.delete(st.id); code = 0; } /* 404 */
        else if (!code) code = 503; /* no answer: try again later, like a failed send */
      }
      if (!code) { /* PUT with the statement's own id, kept alive: if the page closes now it still arrives, and
        farewell() leaves it out */
        const body = JSON.stringify(st), size = bytes(body);
        unsure.add(st.id);
        keep();
        inflight = st; flying = size < KEEPALIVE ? size : 0;
        code = await call(url, { method: "PUT", headers: headers(true), body, keepalive: !!flying });
        inflight = null; flying = 0;
        if (code && code < 500) unsure.delete(st.id); /* answered: stored or not, it is known */
      }
      if (code >= 400 && code < 500 && ![401, 403, 409, 429].includes(code)) {
        rejected = true; /* the LRS will never take this one: say so, and let the rest through */
        console.warn("LRS rejected statement " + st.id + " (" + st.verb.id + "): HTTP " + code);
      } else if (!(code >= 200 && code < 300) && code != 409) { /* 409: it has that id already; 401/403 are
        about the credentials, not the statement: wait for them like for an LRS that is down */
        fails++;
        tell();
        busy = false;
        clearTimeout(timer);
        timer = setTimeout(pump, Math.min(30000, 500 * 2 ** Math.min(fails, 6)));
        return;
      }
      if (queue[0] === st) queue.shift();
      unsure.delete(st.id);
      fails = 0;
      keep();
      tell();
    }
    busy = false;
  }
  function farewell() { /* the page is going: what is queued and not yet sent goes, in order, in ONE keepalive
    POST that outlives the page, so nothing arrives after terminated. The statement in flight is already on its
    way (kept alive) and is not sent again; neither is one sent earlier without an answer (it may be stored), nor
    anything after it. What does not fit in the keepalive budget stays queued for the next launch. */
    closing = true;
    const batch = [];
    let room = KEEPALIVE - flying - 2;
    for (const st of queue) {
      if (st === inflight) continue;
      const size = bytes(JSON.stringify(st)) + 1;
      if (unsure.has(st.id) || (room -= size) < 0) break;
      batch.push(st);
    }
    if (!batch.length) return;
    batch.forEach(st => unsure.add(st.id)); /* the answer will never be read: look them up at the next launch */
    keep();
    fetch(endpoint + "statements", { method: "POST", headers: headers(true), body: JSON.stringify(batch), keepalive: true })
      .catch(() => {});
  }

  /* ---- resume state in the State API, one request at a time (the newest wins) ---- */
  /* Never after terminated (cmi5 8.1.2.0-2): the session's state is written as it changes, and no more once
     end() has queued terminated. A page that closes cannot order two requests, so what changed in its last
     moment stays in this device's copy (and a reflection's text in its answered statement). */
  function putState() {
    clearTimeout(stateTimer);
    if (!live || !normal || !progress || ended) return Promise.resolve();
    if (putting) { dirty = true; return putting; }
    const body = JSON.stringify({ v: 1, s: core.storedProgress(progress), d: done });
    dirty = false;
    putting = fetch(stateUrl(STATE), { method: "PUT", headers: headers(true), body })
      .then(r => r.status >= 500 || r.status == 429, () => true)
      .then(failed => { /* changed meanwhile: write the newest now; failed: again in 3 s */
        putting = false;
        if (failed) dirty = true;
        if (dirty && !ended) stateTimer = setTimeout(putState, failed ? 3000 : 0);
      });
    return putting;
  }

  /* ---- what the learner did ---- */
  const parts = list => list.map(x => ({ id: x[0], description: name(x[1]) }));
  const lessonAct = id => act(cfg.lessonIris[id], A + "lesson", (COURSE.lessons.find(l => l.id == id) || {}).title || id);
  const within = id => ({ ca: { grouping: [unit()], other: competencies([id]) } });
  function answered(a) {
    const d = cfg.questions[a.quiz + "/" + a.question] || {},
      def = { description: name(d.text || a.prompt), interactionType: core.INTERACTION_TYPE[a.kind],
        correctResponsesPattern: core.responsePatterns(a.kind, a.key, core.XAPI_FORMAT) };
    if (d.choices) def.choices = parts(d.choices);
    if (d.source) { def.source = parts(d.source); def.target = parts(d.target); }
    const result = { response: core.encodeResponse(a.kind, a.response, core.XAPI_FORMAT), success: a.correct };
    if (a.graded && a.max) result.score = { raw: a.points, min: 0, max: a.max, scaled: Math.round(a.points * 10000 / a.max) / 10000 };
    const x = within(a.lesson), quiz = act(cfg.iri + "/quiz/" + enc(a.quiz), A + "assessment", a.quiz);
    if (d.competencies) x.ca.other = d.competencies.map(i => cfg.competencies[i]); /* the question's own */
    x.ca.parent = [quiz];
    x.ca.grouping.unshift(lessonAct(a.lesson));
    send("answered", act(cfg.iri + "/question/" + enc(a.quiz) + "/" + enc(a.question), A + "cmi.interaction", d.text || a.prompt, def), result, x);
  }
  function reflections() { /* a reflection is reported once the learner has moved on from it, not per keystroke */
    Object.keys(pending).forEach(id => {
      const v = pending[id].v, l = pending[id].l;
      delete pending[id];
      if (!v || !normal) return;
      const prompt = cfg.reflections[id] || id, x = within(l);
      x.ca.parent = [lessonAct(l)];
      send("answered", act(cfg.iri + "/reflection/" + enc(id), A + "cmi.interaction", prompt,
        { description: name(prompt), interactionType: "long-fill-in" }), { response: v }, x);
    });
  }

  /* ---- completion and judgement, for this AU's lessons and graded quizzes ---- */
  function status() {
    const cp = COURSE.completion || {}, need = core.lessonsNeeded(LS.length, cp.lessons),
      seen = LS.filter(id => progress.visited.includes(id)).length, best = GQ.map(x => (progress.quizzes[x.id] || {}).best),
      m = mastery != null ? mastery : cp.passScore != null ? cp.passScore / 100 : null, r = { completed: seen >= need };
    if (m != null && GQ.length && best.every(Boolean)) { /* every graded quiz has a finished attempt */
      const got = best.reduce((n, b) => n + b[0], 0), max = best.reduce((n, b) => n + b[1], 0);
      r.score = { scaled: max ? Math.round(got * 10000 / max) / 10000 : 0, raw: got, min: 0, max };
      r.passed = max > 0 && got >= m * max - 1e-9;
      r.mastery = m;
      r.final = GQ.every(x => x.attempts && ((progress.quizzes[x.id] || {}).attempt || 1) >= x.attempts); /* no attempt left */
    }
    return r;
  }
  function check(leaving) {
    checking = false;
    if (!live || !normal || !progress || ended) return;
    const r = status(), took = dur(Date.now() - t0), ext = r.mastery != null && mastery != null ? { [X + "extensions/masteryscore"]: mastery } : null;
    if (r.completed && !done.completed) {
      done.completed = 1;
      defined("completed", { completion: true, duration: took });
    }
    /* one of passed/failed per session (§9.3); passed once per registration, and no failed after it */
    if (r.passed === true && !done.passed && !judged) {
      done.passed = judged = true;
      defined("passed", { score: r.score, success: true, duration: took }, ext);
    } else if (r.passed === false && !done.passed && !judged && (r.final || leaving)) {
      judged = true;
      defined("failed", { score: r.score, success: false, duration: took }, ext);
    }
    keep();
  }
  const later = () => { if (!checking) { checking = true; Promise.resolve().then(() => check(false)); } };

  function end() { /* the session's last statements: judged, then terminated; nothing after it */
    if (!live || ended) return;
    reflections();
    check(true);
    ended = true;
    clearTimeout(stateTimer);
    defined("terminated", { duration: dur(Date.now() - t0) });
  }
  async function exit(button) { /* Exit: save, let the state write finish, end the session, give the LRS a moment */
    button.disabled = true;
    if (KS.flush) KS.flush();
    for (const until = Date.now() + 4000; (putting || dirty) && Date.now() < until;) {
      await (putting || putState());
      if (dirty) await new Promise(r => setTimeout(r, 250));
    }
    end();
    for (const until = Date.now() + 4000; queue.length && Date.now() < until;) {
      await pump();
      if (queue.length) await new Promise(r => setTimeout(r, 250));
    }
    if (queue.length) farewell();
    location.assign(returnUrl);
  }
  function exitButton() {
    const bar = document.querySelector(".ks-bar");
    if (!returnUrl || !bar) return;
    const b = document.createElement("button");
    b.type = "button";
    b.className = "ks-button ks-exit";
    b.textContent = KS.t("exit");
    b.addEventListener("click", () => exit(b));
    bar.appendChild(b);
  }

  const tracker = {
    init(course, ks) {
      KS = ks;
      live = launch();
      if (!live) return KS.notice(KS.t("lmsMissing"));
      normal = mode == "Normal";
      /* this learner's own copy on a shared device; Browse and Review never touch the Normal copy */
      COURSE.storageKey += ":" + hash(JSON.stringify(actor) + reg + au) + (normal ? "" : ":" + mode);
      key = "ks:xapi:" + hash(endpoint + (reg || "-") + au);
      try {
        const kept = JSON.parse(localStorage.getItem(key) || "null");
        if (kept) { queue = kept.q || []; Object.assign(done, kept.d); (kept.u || []).forEach(id => unsure.add(id)); }
      } catch (e) { /* nothing kept */ }
      const asked = wanted().join(",");
      defined("initialized", null, asked ? { [KX + "language-preference"]: asked } : null);
      exitButton();
      preferences();
    },
    load() {
      if (!live) return null; /* no LRS: the progress kept on this device */
      const doc = json(xhr("GET", stateUrl(STATE))) || {}, s = core.restoredProgress(doc.s) || {};
      Object.keys(doc.d || {}).forEach(k => { done[k] = done[k] || doc.d[k]; });
      /* this device's copy of the same attempt wins when newer (it may hold what a failed request did not) */
      const local = KS.trackers.find(t => t.local), mine = local && local.load && local.load();
      const state = core.newerProgress(mine, s);
      const at = state.current && LS.includes(state.current) ? state.current : LS[0];
      if (at && (state.current || MOD != null) && !location.hash) {
        try { history.replaceState(null, "", location.search + "#/" + at); } catch (e) { /* sandboxed frame */ }
      }
      return state;
    },
    save(state) {
      progress = state;
      clearTimeout(stateTimer);
      if (live && normal && !ended) stateTimer = setTimeout(putState, 300); /* a burst of changes, one write */
    },
    onStatus(st) {
      if (!live || !progress || ended) return;
      if (st.lesson != lesson) { /* a lesson opened (or home): report reflections left behind, then the lesson */
        reflections();
        lesson = st.lesson;
        muting(); /* the lesson's media are new elements */
        if (lesson && normal) send("experienced", lessonAct(lesson), null, { ca: { parent: [unit()], other: competencies([lesson]) } });
      }
      later();
    },
    onAnswer(a) { if (live && normal && a.key) { answered(a); later(); } },
    onReflection(id, v) { if (live && normal) pending[id] = { v, l: lesson }; },
    onHide(state) {
      progress = state;
      if (!live || ended) return;
      /* A page being closed is hidden first, and its pagehide (onExit) follows in this same task: a request
         started here would race the one carrying terminated, and could arrive after it (cmi5 9.3.0.0-5,
         8.1.2.0-2). So what is queued now is sent from the next task, which comes only if the page stays. */
      holding = true;
      reflections();
      setTimeout(() => { holding = false; if (!ended) { putState(); pump(); } }, 0);
    },
    onExit(state, e) {
      progress = state;
      if (!live || ended) return;
      if (e && e.persisted) { reflections(); return putState(); } /* a cached page may come back: the session goes on */
      /* from here farewell() alone sends, once each: the reflections' answered statements go with terminated, in
         one request, not in one of their own that could arrive after it */
      closing = true;
      end();
      farewell();
    }
  };
  const KSO = W.KS = W.KS || {};
  KSO.xapi = { queue: () => queue.slice(), pump: () => pump(), status: () => progress && status(), inflight: () => !!inflight };
  (W.KS_TRACKERS = W.KS_TRACKERS || []).push(tracker);
})();
