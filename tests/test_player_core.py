"""The player core (themes/default/static/core.js), run with node: the saved-progress map, the xAPI response
format and the hash the trackers share."""

from __future__ import annotations

import json
import subprocess

from tests.conftest import ROOT

CORE_JS = ROOT / "themes" / "default" / "static" / "core.js"


def run_core(expression: str):
    """The JSON value of *expression*, evaluated with ``core`` bound to window.KS_CORE."""
    script = (
        f"globalThis.window = globalThis; require({json.dumps(str(CORE_JS))}); const core = window.KS_CORE;"
        f"console.log(JSON.stringify({expression}));"
    )
    return json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)


STORED = {
    "v": 1,
    "x": 7,
    "n": 3,
    "c": "l2",
    "l": ["l1", "l2"],
    "d": 1700000000000,
    "r": {"r1": "text"},
    "z": {"quiz": {"q": {"q1": ["o2", 1]}, "b": [1, 2], "a": 2, "d": ["q1"]}},
}


def test_saved_progress_keeps_its_short_keys():
    restored = run_core(f"core.restoredProgress({json.dumps(STORED)})")
    assert restored == {
        "version": 1,
        "seed": 7,
        "saves": 3,
        "current": "l2",
        "visited": ["l1", "l2"],
        "completedAt": 1700000000000,
        "reflections": {"r1": "text"},
        "quizzes": {"quiz": {"answers": {"q1": ["o2", 1]}, "best": [1, 2], "attempt": 2, "drawn": ["q1"]}},
    }
    assert run_core(f"core.storedProgress(core.restoredProgress({json.dumps(STORED)}))") == STORED
    assert run_core("core.restoredProgress(null)") is None


def test_the_newer_copy_of_the_same_attempt_wins():
    mine, lms = {"seed": 7, "saves": 4}, {"seed": 7, "saves": 3}
    assert run_core(f"core.newerProgress({json.dumps(mine)}, {json.dumps(lms)})") == mine
    assert run_core(f"core.newerProgress({json.dumps({**mine, 'saves': 2})}, {json.dumps(lms)})") == lms
    assert run_core(f"core.newerProgress({json.dumps({**mine, 'seed': 8})}, {json.dumps(lms)})") == lms


def test_responses_in_the_xapi_format():
    encoded = run_core(
        "[core.encodeResponse('multiple', ['o10', 'o2'], core.XAPI_FORMAT),"
        " core.encodeResponse('order', {i1: 2, i2: 1}, core.XAPI_FORMAT),"
        " core.encodeResponse('match', {l2: 'r1', l1: 'r2'}, core.XAPI_FORMAT),"
        " core.encodeResponse('fill', 'a[,]b', core.XAPI_FORMAT),"
        " core.responsePatterns('order', {correct: ['i2', 'i1']}, core.XAPI_FORMAT),"
        " core.responsePatterns('fill', {answers: ['Delhi']}, core.XAPI_FORMAT),"
        " core.INTERACTION_TYPE.order]"
    )
    assert encoded == [
        "o2[,]o10",
        "i2[,]i1",
        "l1[.]r2[,]l2[.]r1",
        "a b",
        ["i2[,]i1"],
        ["{case_matters=false}Delhi"],
        "sequencing",
    ]


def test_hash_is_fnv1a_in_base_36():
    h = 2166136261
    for unit in b"ks":  # ASCII: one UTF-16 unit a byte
        h = ((h ^ unit) * 16777619) % 2**32
    digits, text, n = "0123456789abcdefghijklmnopqrstuvwxyz", "", h
    while n:
        n, r = divmod(n, 36)
        text = digits[r] + text
    assert run_core("[core.hash('ks'), core.fnv('ks') >>> 0]") == [text, h]
