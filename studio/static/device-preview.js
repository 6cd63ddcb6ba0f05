/* The live preview on a phone, a tablet or a desktop, and in each of the course's languages.

   A device gives the frame that device's size (so the player's layout is the one learners get there),
   scaled down to fit the pane. A translation's preview is its own frame on the content origin: this
   script sends it the lesson's text as the editor has it, rendered through the translation on the
   server (api/preview with lang, as the build does), while editor.js or blocks.js keeps the course's
   own language in the first frame. The Markdown view's text is its textarea; the block view has none,
   so blocks.js hands over each text it saved (a "ks-lesson-text" event on the switch, the text also
   kept as the switch's ksText for a script that runs after it). Course content never runs on the
   studio's origin. */
(function () {
  "use strict";
  var root = document.getElementById("device-preview"), main = document.getElementById("preview");
  var text = document.getElementById("text");
  if (!root || !main) return;
  var other = document.getElementById("preview-translated"), status = document.getElementById("preview-lang-status");
  var token = document.querySelector('meta[name="csrf-token"]').content;
  var pane = main.parentNode, device = "fit", own = null, lang = null, timer = null, ready = false;
  var contentOrigin = new URL(main.src, location.href).origin;
  root.hidden = false;

  function press(selector, chosen) {
    root.querySelectorAll(selector).forEach(function (b) { b.setAttribute("aria-pressed", String(b === chosen)); });
  }

  // Device: the frame gets the device's size; scale() shrinks it into the pane, negative margins give
  // back the room the unscaled box would take
  function size() {
    var button = root.querySelector('[data-device="' + device + '"]');
    [main, other].forEach(function (frame) {
      if (!frame) return;
      var style = frame.style;
      if (device === "fit") {
        frame.classList.remove("device");
        style.width = style.height = style.transform = style.marginInlineEnd = style.marginBlockEnd = "";
        return;
      }
      frame.classList.add("device");
      var border = frame.offsetWidth - frame.clientWidth;  // the device's screen is inside the frame's border
      var width = +button.dataset.width + border, height = +button.dataset.height + border;
      var scale = Math.min(1, pane.clientWidth / width);
      style.width = width + "px";
      style.height = height + "px";
      style.transform = scale < 1 ? "scale(" + scale + ")" : "";
      style.marginInlineEnd = -width * (1 - scale) + "px";
      style.marginBlockEnd = -height * (1 - scale) + "px";
    });
  }
  root.querySelectorAll("[data-device]").forEach(function (button) {
    button.addEventListener("click", function () {
      device = button.dataset.device;
      press("[data-device]", button);
      try { localStorage.setItem("ks-preview-device", device); } catch (e) { /* private mode */ }
      size();
    });
  });
  if (window.ResizeObserver) new ResizeObserver(function () { if (device !== "fit") size(); }).observe(pane);
  try {
    var kept = root.querySelector('[data-device="' + localStorage.getItem("ks-preview-device") + '"]');
    if (kept) kept.click();
  } catch (e) { /* private mode */ }

  // Language: the course's own in the editor's frame; a translation in this script's frame
  var langs = root.querySelectorAll("[data-lang]");
  if (!other || !langs.length) return;
  own = lang = langs[0].dataset.lang;
  function refresh(delay) {
    clearTimeout(timer);
    if (lang === own || !ready) return;
    timer = setTimeout(function () {
      var asked = lang, dir = root.querySelector('[data-lang="' + lang + '"]').dataset.dir;
      fetch(root.dataset.preview, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": token },
        body: JSON.stringify({ path: root.dataset.path, text: text ? text.value : root.ksText || "", lang: asked })
      }).then(function (r) { return r.json(); }).then(function (data) {
        if (asked !== lang) return;  // switched again meanwhile
        var html = data.html || "<p>" + String(data.error || "").replace(/&/g, "&amp;").replace(/</g, "&lt;") + "</p>";
        other.contentWindow.postMessage({ kind: "ks-lesson", html: html, lang: asked, dir: dir }, contentOrigin);
      }).catch(function () { /* the next keystroke tries again */ });
    }, delay);
  }
  langs.forEach(function (button) {
    button.addEventListener("click", function () {
      lang = button.dataset.lang;
      press("[data-lang]", button);
      main.hidden = lang !== own;
      other.hidden = lang === own;
      size();  // a hidden frame had no border to measure
      if (status) status.textContent = button.textContent;
      refresh(0);
    });
  });
  if (text) text.addEventListener("input", function () { refresh(400); });
  root.addEventListener("ks-lesson-text", function () { refresh(0); });
  window.addEventListener("message", function (event) {
    if (event.origin !== contentOrigin || event.source !== other.contentWindow) return;
    if (event.data && event.data.kind === "ks-ready") { ready = true; refresh(0); }
  });
  other.contentWindow.postMessage({ kind: "ks-hello" }, contentOrigin);  // in case it loaded first
})();
