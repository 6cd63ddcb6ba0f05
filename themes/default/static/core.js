/* Karmayogi Studio player core: what player.js, scorm.js and xapi.js compute alike. Plain ES2017. index.html
   loads it after course.js, before them; it sets window.KS_CORE. Completion.lessons_needed (Python) = lessonsNeeded. */
(() => {
  "use strict";
  /* FNV-1a over a string's UTF-16 units, from an optional seed: short ids of long texts, seeds of shuffles */
  const fnv = (text, seed) => {
    let h = 2166136261 ^ (seed || 0);
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
    return h;
  };
  const hash = text => (fnv(text) >>> 0).toString(36);
  /* "o3" -> 3: option, item, left and right ids are a letter and their number in the question */
  const idNumber = id => parseInt(String(id).slice(1), 10);
  const byIdNumber = (a, b) => idNumber(a) - idNumber(b);
  /* lessons a learner must visit to complete `total` lessons at `percent` (all when unset), at least one */
  const lessonsNeeded = (total, percent) => Math.max(1, Math.ceil(total * (percent == null ? 100 : percent) / 100));

  /* ---- answers as SCORM and xAPI interactions ---- */
  const INTERACTION_TYPE = { single: "choice", multiple: "choice", fill: "fill-in", order: "sequencing", match: "matching" };
  /* a typed "[,]" or "[.]" must not split the response */
  const plainText = v => String(v).replace(/\[[,.]\]/g, " ");
  /* a format: list and pair separators, how ids, typed text and fill-in answers are written, answers kept */
  const XAPI_FORMAT = { list: "[,]", pair: "[.]", id: id => id, text: plainText,
    answer: a => "{case_matters=false}" + plainText(a), answers: Infinity };
  function encodeResponse(kind, value, format) {
    const f = format;
    if (kind == "single" || kind == "multiple") return [].concat(value).sort(byIdNumber).map(f.id).join(f.list);
    if (kind == "fill") return f.text(value);
    if (kind == "order") return Object.keys(value).sort((a, b) => value[a] - value[b]).map(f.id).join(f.list); /* items as placed */
    return Object.keys(value).sort(byIdNumber).map(left => f.id(left) + f.pair + f.id(value[left])).join(f.list);
  }
  function responsePatterns(kind, key, format) {
    if (kind == "fill") return (key.answers || []).slice(0, format.answers).map(format.answer);
    if (kind == "order") {
      const placed = {};
      key.correct.forEach((id, i) => { placed[id] = i + 1; });
      return [encodeResponse(kind, placed, format)];
    }
    return [encodeResponse(kind, key.correct, format)];
  }

  /* ---- saved progress: named in code, kept under the short keys learners' saved attempts already hold
     (localStorage, xAPI state); SCORM's suspend_data packs it its own way (scorm.js) ---- */
  const PROGRESS_KEYS = { version: "v", seed: "x", visited: "l", current: "c", saves: "n", completedAt: "d",
    reflections: "r", quizzes: "z" };
  const QUIZ_KEYS = { answers: "q", best: "b", attempt: "a", drawn: "d" };
  const inverse = keys => { const out = {}; Object.keys(keys).forEach(k => { out[keys[k]] = k; }); return out; };
  const renamed = (from, keys) => { const out = {}; Object.keys(from).forEach(k => { out[keys[k] || k] = from[k]; }); return out; };
  const convert = (from, keys, quizKeys, quizzesKey) => { /* copies: the progress in use is never changed */
    if (!from || typeof from != "object") return from;
    const out = renamed(from, keys), quizzes = out[quizzesKey] || {};
    out[quizzesKey] = {};
    Object.keys(quizzes).forEach(id => { out[quizzesKey][id] = renamed(quizzes[id] || {}, quizKeys); });
    return out;
  };
  const STORED = inverse(PROGRESS_KEYS), STORED_QUIZ = inverse(QUIZ_KEYS);
  const storedProgress = progress => convert(progress, PROGRESS_KEYS, QUIZ_KEYS, "z");
  const restoredProgress = stored => convert(stored, STORED, STORED_QUIZ, "quizzes");

  /* the copy to resume from: this device's when it is of the same attempt (its seed) and not older, else the LMS's */
  const newerProgress = (local, lms) =>
    local && lms.seed != null && local.seed === lms.seed && (local.saves || 0) >= (lms.saves || 0) ? local : lms;

  window.KS_CORE = { fnv, hash, idNumber, byIdNumber, lessonsNeeded, INTERACTION_TYPE, plainText, XAPI_FORMAT,
    encodeResponse, responsePatterns, storedProgress, restoredProgress, newerProgress };
})();
