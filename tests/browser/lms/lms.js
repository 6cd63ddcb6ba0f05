/* Launches the package named by ?pkg= with the runtime named by ?api= (scorm12, scorm2004, igot).
   Saved data from an earlier session arrives in window.LMS_SAVED (flattened CMI), set by the test. */
(() => {
  const q = new URLSearchParams(location.search), kind = q.get("api"), session = q.get("session") || "s";
  const saved = window.LMS_SAVED || null;
  window.LMS_LOG = [];
  if (kind == "igot") {
    window.API = window.IgotAdapter(saved);
  } else {
    const settings = {
      autocommit: false,
      lmsCommitUrl: "/commit/" + session,
      dataCommitFormat: "flattened",
      logLevel: 5,
      onLogMessage: (m, level) => window.LMS_LOG.push(String(m)),
    };
    const api = kind == "scorm12" ? new window.Scorm12API(settings) : new window.Scorm2004API(settings);
    if (saved) {
      const data = Object.assign({}, saved);
      const exit = data[kind == "scorm12" ? "cmi.core.exit" : "cmi.exit"];
      for (const k of Object.keys(data)) {
        /* what an LMS hands back on relaunch: the data, not this session's write-only or per-session values */
        if (/session_time|\._count$|\.exit$|^cmi\.interactions\./.test(k) || (kind == "scorm12" && /^cmi\.core\.entry$/.test(k))) delete data[k];
      }
      if (kind == "scorm12") data["cmi.core.entry"] = exit == "suspend" ? "resume" : "";
      else data["cmi.entry"] = exit == "suspend" ? "resume" : "";
      api.loadFromFlattenedJSON(data);
    }
    /* what LMSFinish/Terminate answered: false when its commit (a beacon, as the page closes) was refused */
    const finish = kind == "scorm12" ? "LMSFinish" : "Terminate", end = api[finish].bind(api);
    api[finish] = (...a) => (window.LMS_FINISHED = end(...a));
    window[kind == "scorm12" ? "API" : "API_1484_11"] = api;
  }
  window.addEventListener("DOMContentLoaded", () => { document.getElementById("sco").src = q.get("pkg"); });
})();
