/* Follows a job's progress by polling its status; when it ends, reloads to show the results. */
(function () {
  "use strict";
  var root = document.getElementById("job");
  if (!root) return;
  var bar = document.getElementById("job-progress"), state = document.getElementById("job-state");
  var list = document.getElementById("job-words");  // the status in the interface's language
  var words = list ? JSON.parse(list.textContent) : {};
  function poll() {
    fetch(root.dataset.status, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (job) {
      bar.value = job.progress;
      var detail = (job.status === "running" || job.status === "failed") && job.message ? ": " + job.message : "";
      state.textContent = (words[job.status] || job.status) + detail;
      if (job.status === "done" || job.status === "failed") {
        if (!root.dataset.finished) { root.dataset.finished = "1"; window.location.reload(); }
      } else {
        setTimeout(poll, 700);
      }
    }).catch(function () { setTimeout(poll, 2000); });
  }
  var initial = state.dataset.status;
  if (initial !== "done" && initial !== "failed") setTimeout(poll, 300);
})();
