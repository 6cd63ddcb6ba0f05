"""The cmi5 rule checker of the browser tests catches what it claims to, naming the section broken."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from tests.lrs.cmi5_rules import CAT_CMI5, CAT_MOVEON, MASTERY, SESSION, V, check

AU, REG = "https://example.org/c/au", str(uuid.uuid4())
LAUNCH = {
    "contextTemplate": {"contextActivities": {"grouping": [{"id": AU}]}, "extensions": {SESSION: "s1"}},
    "launchMode": "Normal",
    "masteryScore": 0.7,
}
ACTOR = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "u1"}}


def st(
    verb: str,
    second: int,
    result: dict | None = None,
    *,
    obj: str = AU,
    cats: tuple[str, ...] = (CAT_CMI5,),
    ext: dict | None = None,
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "actor": ACTOR,
        "verb": {"id": V + verb},
        "object": {"id": obj},
        "timestamp": f"2026-01-01T10:00:{second:02}.000Z",
        "context": {
            "registration": REG,
            "contextActivities": {"grouping": [{"id": AU}], "category": [{"id": c} for c in cats]},
            "extensions": {SESSION: "s1", **(ext or {})},
        },
    }
    if result is not None:
        out["result"] = result
    return out


def good() -> list[dict[str, Any]]:
    return [
        st("initialized", 1),
        st("experienced", 2, obj="https://example.org/c/lesson/a", cats=()),
        st("completed", 3, {"completion": True, "duration": "PT3S"}, cats=(CAT_CMI5, CAT_MOVEON)),
        st(
            "passed",
            4,
            {"success": True, "duration": "PT4S", "score": {"scaled": 0.8, "raw": 8, "min": 0, "max": 10}},
            cats=(CAT_CMI5, CAT_MOVEON),
            ext={MASTERY: 0.7},
        ),
        st("terminated", 5, {"duration": "PT5S"}),
    ]


def broken(change) -> list[str]:
    statements = copy.deepcopy(good())
    change(statements)
    return check(statements, LAUNCH, REG, AU)


def test_a_clean_session_passes():
    assert check(good(), LAUNCH, REG, AU) == []


def test_each_rule_names_its_section():
    cases = {
        "9.3.2": lambda s: s[1].update(timestamp="2026-01-01T09:59:00.000Z"),  # something before initialized
        "9.3.8": lambda s: s[4].update(timestamp="2026-01-01T09:59:00.000Z"),
        "9.3.4": lambda s: s.append({**copy.deepcopy(s[3]), "id": str(uuid.uuid4())}),
        "9.5.4": lambda s: s[4]["result"].pop("duration"),
        "9.5.2": lambda s: s[3]["result"].update(success=False),
        "9.6.2.2": lambda s: s[2]["context"]["contextActivities"].update(category=[{"id": CAT_CMI5}]),
        "9.6.2.1": lambda s: s[1]["context"]["contextActivities"].update(category=[{"id": CAT_CMI5}]),
        "9.6.3.1": lambda s: s[1]["context"]["extensions"].pop(SESSION),
        "9.6.3.2": lambda s: s[3]["context"]["extensions"].pop(MASTERY),
        "9.4": lambda s: s[0]["object"].update(id="https://example.org/other"),
        "9.1": lambda s: s[1].update(id="not-a-uuid"),
        "9.6.1": lambda s: s[1]["context"].update(registration=str(uuid.uuid4())),
        "9.5.1": lambda s: s[2]["result"].update(score={"scaled": 1}),
    }
    for section, change in cases.items():
        found = broken(change)
        assert any(f"§{section}:" in f for f in found), (section, found)


def test_browse_mode_allows_only_initialized_and_terminated():
    found = check(good(), {**LAUNCH, "launchMode": "Browse"}, REG, AU)
    assert any(f.startswith("cmi5 §10.0:") and "completed" in f for f in found)
