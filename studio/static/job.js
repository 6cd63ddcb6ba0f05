/* Follows a job's progress by polling its status; when it ends, reloads to show the results. */
(function () {
  "use strict";
  var root = document.getElementById("job");
  if (!root) return;
  var bar = document.getElementById("job-progress"), state = document.getElementById("job-state");
  function poll() {
    fetch(root.dataset.status, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (job) {
      bar.value = job.progress;
      state.textContent = job.status + ": " + job.message;
      if (job.status === "done" || job.status === "failed") {
        if (!root.dataset.finished) { root.dataset.finished = "1"; window.location.reload(); }
      } else {
        setTimeout(poll, 700);
      }
    }).catch(function () { setTimeout(poll, 2000); });
  }
  var initial = state.textContent.split(":")[0];
  if (initial !== "done" && initial !== "failed") setTimeout(poll, 300);
})();
