/* The live preview's page, on the content origin: the editor (on the studio's origin, which frames this
   page) posts the lesson as the player renders it; nothing else may write here. The HTML comes from the
   packager's renderer, which escapes raw HTML in lessons; and this origin holds no authority anyway. */
(function () {
  "use strict";
  var studio = document.body.dataset.studio, main = document.getElementById("ks-main");
  if (!studio || window.parent === window) return;
  window.addEventListener("message", function (event) {
    if (event.origin !== studio || event.source !== window.parent) return;
    var data = event.data || {};
    if (data.kind === "ks-hello") window.parent.postMessage({ kind: "ks-ready" }, studio);
    else if (data.kind === "ks-lesson" && typeof data.html === "string") {
      if (typeof data.lang === "string") {  // a translation's preview: its language and direction
        document.documentElement.lang = data.lang;
        document.documentElement.dir = data.dir === "rtl" ? "rtl" : "ltr";
      }
      main.innerHTML = data.html;
    }
  });
  window.parent.postMessage({ kind: "ks-ready" }, studio);
})();
