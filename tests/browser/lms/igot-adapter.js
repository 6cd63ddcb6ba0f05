/* An emulation of the SCORM 1.2 adapter of iGOT Karmayogi's player (portal release cbrelease-4.8.19), with the
   quirks listed in shared/spec/field-notes.md:
   - LMSGetValue returns "" for anything not stored (no _count, no student_id); entry is never "resume";
   - LMSSetValue accepts anything and returns the value itself; LMSGetLastError returns "";
   - LMSCommit always returns false; it sends the record to the server only when lesson_status is exactly
     "completed" or "passed"; otherwise the record stays in the browser until the player is left;
   - LMSFinish deletes the whole stored record;
   - a relaunch restores only exit, lesson_status, session_time and suspend_data.
   The test reads the record "in the browser" (window.IGOT.browser) after the course frame is closed, as
   iGOT's player uploads it when the learner leaves; window.IGOT.server holds what LMSCommit sent. */
window.IgotAdapter = saved => {
  const KEEP = ["cmi.core.exit", "cmi.core.lesson_status", "cmi.core.session_time", "cmi.suspend_data"];
  let data = {};
  if (saved) for (const k of KEEP) if (k in saved) data[k] = saved[k];
  const igot = window.IGOT = { browser: data, server: null, calls: [] }, calls = igot.calls;
  return {
    LMSInitialize: () => { calls.push("LMSInitialize"); return "true"; },
    LMSGetValue: k => { calls.push("LMSGetValue " + k); return k in data ? data[k] : ""; },
    LMSSetValue: (k, v) => { data[k] = String(v); return String(v); },
    LMSCommit: () => {
      calls.push("LMSCommit");
      const s = data["cmi.core.lesson_status"];
      if (s == "completed" || s == "passed") igot.server = Object.assign({}, data);
      return false;
    },
    LMSFinish: () => { calls.push("LMSFinish"); data = igot.browser = {}; return "true"; },
    LMSGetLastError: () => "",
    LMSGetErrorString: () => "",
    LMSGetDiagnostic: () => "",
  };
};
