"""The iGOT learner instructions and the player agree on how many lessons complete a course."""

from __future__ import annotations

import dataclasses
import json
import subprocess

from packager import load_course
from packager.export import igot
from packager.model import Completion
from tests.conftest import ROOT, SAMPLE

CORE_JS = ROOT / "themes" / "default" / "static" / "core.js"


def test_instructions_round_up_as_the_player_does():
    course = load_course(SAMPLE)
    four = dataclasses.replace(course.modules[0], lessons=course.lessons[:4])
    course = dataclasses.replace(course, modules=[four], completion=Completion(lessons_percent=60))
    # 60 % of 4 lessons is 2.4: the player completes the course at the third lesson, not the second
    assert igot.instructions(course).startswith("Work through 3 of the 4 lessons.")
    course = dataclasses.replace(course, completion=Completion(lessons_percent=100))
    assert igot.instructions(course).startswith("Work through all 4 lessons.")


def test_python_rule_and_player_core_agree():
    script = (
        "globalThis.window = globalThis;"
        f"require({json.dumps(str(CORE_JS))});"
        "const out = {};"
        "for (let n = 1; n <= 40; n++) for (let p = 1; p <= 100; p++)"
        " out[n + ':' + p] = window.KS_CORE.lessonsNeeded(n, p);"
        "out.unset = window.KS_CORE.lessonsNeeded(7, null);"
        "console.log(JSON.stringify(out));"
    )
    player = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)
    python = {f"{n}:{p}": Completion(lessons_percent=p).lessons_needed(n) for n in range(1, 41) for p in range(1, 101)}
    assert player.pop("unset") == Completion().lessons_needed(7) == 7
    assert player == python
