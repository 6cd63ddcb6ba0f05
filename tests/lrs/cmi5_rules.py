"""The cmi5 rules on an AU's statements, checked one by one; each failure names the section it breaks.

Section numbers are those of the cmi5 specification ("cmi5_spec.md", quartz edition). The LMS's own
statements (launched) are left out by the caller.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

V = "http://adlnet.gov/expapi/verbs/"
CMI5 = "https://w3id.org/xapi/cmi5/context/"
CAT_CMI5, CAT_MOVEON = CMI5 + "categories/cmi5", CMI5 + "categories/moveon"
SESSION, MASTERY = CMI5 + "extensions/sessionid", CMI5 + "extensions/masteryscore"
DEFINED = {V + v for v in ("initialized", "completed", "passed", "failed", "terminated")}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I)


def _verb(st: dict[str, Any]) -> str:
    return str(st["verb"]["id"]).removeprefix(V)


def _time(st: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(st["timestamp"].replace("Z", "+00:00"))


def _ids(st: dict[str, Any], key: str) -> list[str]:
    ca = (st.get("context") or {}).get("contextActivities") or {}
    items = ca.get(key) or []
    return [a["id"] for a in (items if isinstance(items, list) else [items])]


def check(
    statements: list[dict[str, Any]], launch_data: dict[str, Any], registration: str, activity_id: str
) -> list[str]:
    """Every broken rule in the statements of one registration's sessions of one AU (any order given)."""
    bad: list[str] = []
    if not statements:
        return ["cmi5 §9.3.2: the AU sent no statements (initialized is required)"]

    def fail(section: str, st: dict[str, Any] | None, message: str) -> None:
        where = f" [{_verb(st)} {st.get('id')}]" if st else ""
        bad.append(f"cmi5 §{section}: {message}{where}")

    template = launch_data.get("contextTemplate") or {}
    grouping = [a["id"] for a in (template.get("contextActivities") or {}).get("grouping", [])]
    mastery = launch_data.get("masteryScore")
    mode = launch_data.get("launchMode", "Normal")
    sessions: dict[str, list[dict[str, Any]]] = {}
    for st in statements:
        defined = st["verb"]["id"] in DEFINED
        ctx, result = st.get("context") or {}, st.get("result") or {}
        if not UUID.match(str(st.get("id", ""))):
            fail("9.1", st, "the statement id must be a UUID assigned by the AU")
        if defined and not (st["actor"].get("objectType", "Agent") == "Agent" and "account" in st["actor"]):
            fail("9.2", st, "the actor of a cmi5 defined statement must be an Agent with an account")
        if not st.get("timestamp") or _time(st).utcoffset() is None or _time(st).utcoffset().total_seconds() != 0:
            fail("9.7", st, "every statement must carry a UTC timestamp")
        if ctx.get("registration") != registration:
            fail("9.6.1", st, "the registration must be the one the LMS gave at launch")
        session = (ctx.get("extensions") or {}).get(SESSION)
        if not session:
            fail("9.6.3.1", st, "the session id of the context template must be in every statement")
        for gid in grouping:
            if gid not in _ids(st, "grouping"):
                fail("9.6.2.3", st, f"the publisher id activity {gid} of the context template is missing from grouping")
        cats = _ids(st, "category")
        if defined:
            if st["object"].get("id") != activity_id:
                fail("9.4", st, "the object of a cmi5 defined statement must be the AU (the launch's activityId)")
            if CAT_CMI5 not in cats:
                fail("9.6.2.1", st, "a cmi5 defined statement must have the cmi5 category")
            has_moveon = "success" in result or "completion" in result
            if has_moveon != (CAT_MOVEON in cats):
                fail(
                    "9.6.2.2",
                    st,
                    "the moveon category goes exactly on statements whose result has success or completion",
                )
            verb = _verb(st)
            if "score" in result and verb not in ("passed", "failed"):
                fail("9.5.1", st, "only passed and failed may carry a score")
            score = result.get("score") or {}
            if "raw" in score and not (
                "min" in score and "max" in score and score["min"] <= score["raw"] <= score["max"]
            ):
                fail("9.5.1", st, "a raw score needs min and max around it")
            if "scaled" in score and not 0 <= score["scaled"] <= 1:
                fail("9.5.1", st, "a scaled score lies between 0 and 1")
            want_success = {"passed": True, "failed": False}.get(verb)
            if result.get("success") != want_success or (want_success is None and "success" in result):
                fail("9.5.2", st, "success is true on passed, false on failed, and absent on other cmi5 statements")
            if (verb == "completed") != (result.get("completion") is True) or (
                verb != "completed" and "completion" in result
            ):
                fail("9.5.3", st, "completion is true on completed and absent on other cmi5 statements")
            if verb in ("terminated", "completed", "passed", "failed") and not result.get("duration"):
                fail("9.5.4", st, f"{verb} must carry result.duration")
            if verb in ("passed", "failed") and mastery is not None:
                if (ctx.get("extensions") or {}).get(MASTERY) != mastery:
                    fail(
                        "9.6.3.2",
                        st,
                        "passed/failed judged on a masteryScore must carry it as the masteryscore extension",
                    )
                scaled = score.get("scaled")
                if scaled is not None and (scaled >= mastery) != (verb == "passed"):
                    fail(
                        "9.3.4" if verb == "passed" else "9.3.5",
                        st,
                        f"a scaled score of {scaled} against masteryScore {mastery}",
                    )
            if mode != "Normal" and verb not in ("initialized", "terminated"):
                fail(
                    "10.0", st, f"in {mode} mode the AU sends no cmi5 defined statement but initialized and terminated"
                )
        else:
            if CAT_CMI5 in cats or CAT_MOVEON in cats:
                fail("9.6.2.1", st, "a cmi5 allowed statement must not carry the cmi5 or moveon category")
        sessions.setdefault(str(session), []).append(st)

    for sid, items in sessions.items():
        items.sort(key=_time)
        verbs = [_verb(st) for st in items]
        defined_verbs = [_verb(st) for st in items if st["verb"]["id"] in DEFINED]
        if not verbs or verbs[0] != "initialized":
            fail("9.3.2", items[0] if items else None, f"session {sid}: initialized must be its first statement")
        if not verbs or verbs[-1] != "terminated":
            fail("9.3.8", items[-1] if items else None, f"session {sid}: terminated must be its last statement")
        for verb in set(defined_verbs):
            if defined_verbs.count(verb) > 1:
                fail(
                    "9.3",
                    None,
                    f"session {sid}: the cmi5 defined verb {verb} is used {defined_verbs.count(verb)} times",
                )
        if defined_verbs.count("passed") + defined_verbs.count("failed") > 1:
            fail("9.3", None, f"session {sid}: more than one of passed and failed")
    ordered = sorted(statements, key=_time)
    verbs = [_verb(st) for st in ordered if st["verb"]["id"] in DEFINED]
    if verbs.count("completed") > 1:
        fail("9.3.3", None, "completed more than once in the registration")
    if verbs.count("passed") > 1:
        fail("9.3.4", None, "passed more than once in the registration")
    if "passed" in verbs and "failed" in verbs[verbs.index("passed") :]:
        fail("9.3.5", None, "failed after passed in the registration")
    return bad
