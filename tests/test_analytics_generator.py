"""The simulated learners (studio/analytics/generator.py): seeded, valid xAPI, and true to their model."""

from __future__ import annotations

from typing import Any

import pytest

from packager import load_course
from studio.analytics.generator import Cohort
from tests.conftest import SAMPLE


@pytest.fixture(scope="module")
def course() -> Any:
    return load_course(SAMPLE)


def test_the_generator_is_seeded_valid_and_follows_its_model(course):
    import math
    from collections import Counter

    from tests.lrs import validate_statements

    first, again, other = (list(Cohort(course, 40, seed=s).statements()) for s in (5, 5, 6))
    assert first == again and [st["id"] for st in first] != [st["id"] for st in other]
    assert validate_statements(first[:400]) == {}
    verbs = Counter(st["verb"]["id"].rsplit("/", 1)[1] for st in first)
    assert verbs["initialized"] == verbs["terminated"] == 40 and verbs["passed"] + verbs["failed"] <= 40
    # the 2PL model: able learners answer more of a question right than the least able
    simulation = Cohort(course, 400, seed=9, drop=0.0)
    key = "final/fa-gift"
    item = simulation.items[key]
    ability = {f"learner-{n + 1:05d}": a for n, a in enumerate(simulation.abilities)}
    answers = [
        (ability[st["actor"]["account"]["name"]], st["result"]["success"])
        for st in simulation.statements()
        if st["object"]["id"].endswith("/question/final/fa-gift")
    ]
    expected = sum(item.p_correct(a) for a, _ in answers) / len(answers)
    observed = sum(ok for _, ok in answers) / len(answers)
    assert abs(observed - expected) < 3 * math.sqrt(expected * (1 - expected) / len(answers))
    ranked = sorted(answers)
    low, high = ranked[: len(ranked) // 3], ranked[-len(ranked) // 3 :]
    assert sum(ok for _, ok in high) > sum(ok for _, ok in low)
