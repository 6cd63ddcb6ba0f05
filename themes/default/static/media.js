/* Karmayogi Studio media quality switch. Plain ES2017, no network.
   Each lesson video and audio carries its renditions: data-standard, data-low and (video with sound)
   data-audio. The mode starts as the learner's last choice, else "low" when the browser reports
   Save-Data or a 2G/3G connection, else "standard". The buttons of a .ks-quality group switch every
   player on the page, keep the playing position, and the choice is remembered on this device. */
(() => {
  "use strict";
  const D = document, KEY = "ks:media";
  const MODES = ["standard", "low", "audio"];
  const remembered = () => { try { return localStorage.getItem(KEY); } catch (e) { return null; } };
  const remember = m => { try { localStorage.setItem(KEY, m); } catch (e) { /* LMS iframe, private mode */ } };
  const slow = () => {
    const c = navigator.connection;
    return !!c && (c.saveData === true || /(^|-)(2g|3g)$/.test(c.effectiveType || ""));
  };
  let mode = MODES.includes(remembered()) ? remembered() : (slow() ? "low" : "standard");

  function source(el) {
    const d = el.dataset;
    return (mode == "audio" && d.audio) || (mode != "standard" && d.low) || d.standard;
  }
  function apply(root) {
    root.querySelectorAll("video[data-standard], audio[data-standard]").forEach(el => {
      const want = source(el);
      if (!want || el.getAttribute("src") == want) return;
      const at = el.currentTime || 0, playing = !el.paused;
      el.setAttribute("src", want);
      el.classList.toggle("ks-audio-only", want == el.dataset.audio);
      if (at > 0 || playing) {
        el.addEventListener("loadedmetadata", () => {
          el.currentTime = at;
          if (playing) { const p = el.play(); if (p && p.catch) p.catch(() => {}); }
        }, { once: true });
      }
    });
    // The pressed button names what plays: "low" on a video without a low rendition plays standard.
    root.querySelectorAll(".ks-quality").forEach(g => {
      const el = g.parentNode.querySelector("video[data-standard]");
      const d = el ? el.dataset : {}, playing = el ? source(el) : d.standard;
      const shown = playing == d.audio ? "audio" : playing == d.low ? "low" : "standard";
      g.querySelectorAll("button[data-mode]").forEach(b => b.setAttribute("aria-pressed", String(b.dataset.mode == shown)));
    });
  }
  D.addEventListener("click", e => {
    const b = e.target.closest && e.target.closest(".ks-quality button[data-mode]");
    if (!b || !MODES.includes(b.dataset.mode)) return;
    mode = b.dataset.mode;
    remember(mode);
    apply(D);
  });
  const slot = D.getElementById("ks-lesson");
  if (slot && typeof MutationObserver == "function") new MutationObserver(() => apply(slot)).observe(slot, { childList: true });
  apply(D);
})();
