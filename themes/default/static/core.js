/* Karmayogi Studio player core: what the runtime (player.js) and the LMS trackers (scorm.js, xapi.js) must
   compute alike. Plain ES2017, no network. index.html loads it right after course.js, before the trackers and
   player.js; it sets window.KS_CORE. packager/model.py (Completion.lessons_needed) holds the same completion rule. */
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
  /* A format says how a response is written: list and pair separators, how an id and typed text are written,
     how a correct answer of a fill-in is written and how many of them the format keeps. */
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

  window.KS_CORE = { fnv, hash, idNumber, byIdNumber, lessonsNeeded, INTERACTION_TYPE, plainText, XAPI_FORMAT,
    encodeResponse, responsePatterns };
})();
