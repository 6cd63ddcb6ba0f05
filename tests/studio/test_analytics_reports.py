"""The learning analytics reports over a recorded data set: 2,000 simulated learners with known abilities
(studio/analytics/generator.py, 2PL items) take the sample course, and four more learners in an organisation
unit of their own, in Hindi, make the group that must stay hidden.

What is checked: the item statistics the SQL computes equal those recomputed here in Python from the
statements, and match the simulation within stated tolerances; the funnel and the competency evidence add
up; groups under the threshold are hidden in the pages and the CSV files; CSV cells cannot run as formulas.
The routes' authorisation and read-only GETs are covered by test_authz.py and test_get_is_read_only.py.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
from collections import defaultdict
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import insert, select

from studio.analytics import records, reports
from studio.analytics.generator import Cohort
from studio.db import session_for
from studio.models import LearningRecord
from tests.studio.conftest import Person, adopt_sample, csrf, make_app, populate

LEARNERS = 2000
KEY = b"analytics test key"
UNITS = ("Revenue Department", "Health Department", "Education Department")
TINY = "Tiny Cell"
FORMULA = '=HYPERLINK("http://evil.example","click")'
URL = "/o/inst/c/karmayogi-prarambh/analytics"


class Few(Cohort):
    """Four more learners, in their own unit, with accounts of their own (not the big cohort's)."""

    def actor(self, n: int) -> dict[str, Any]:
        return {"objectType": "Agent", "account": {"homePage": "https://tiny.example", "name": f"tiny-{n}"}}


def insert_statements(session: Any, course: Any, statements: list[dict[str, Any]]) -> None:
    """The rows ingestion makes (records.normalise), bulk inserted: the reports read only the columns."""
    target = records.Target(course.id, records.course_iri(course), "studio-lrs", version="1.0.0")
    rows = []
    for st in statements:
        row = records.normalise(st, target, KEY)
        assert row is not None
        row["statement"] = {}  # the stored copy is not what reports read; leaving it out keeps the test quick
        rows.append(row)
    session.execute(insert(LearningRecord), rows)
    records.summarise(session, rows)  # what records.add_rows does after its insert


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """(app, the big cohort, its statements) on SQLite, made once for the module."""
    from packager import load_course
    from tests.conftest import SAMPLE

    app = make_app(tmp_path_factory.mktemp("analytics") / "data")
    populate(app)
    course_model = load_course(SAMPLE)
    cohort = Cohort(course_model, LEARNERS, seed=11, org_units=UNITS)
    statements = list(cohort.statements())
    few = list(Few(course_model, 4, seed=12, lang="hi", org_units=(TINY,)).statements())
    written = next(st for st in statements if "/reflection/" in st["object"]["id"])
    written["result"]["response"] = FORMULA  # a learner who types a spreadsheet formula into a reflection
    course = adopt_sample(app)
    with app.app_context():
        session = session_for(app)
        insert_statements(session, course, statements + few)
        session.commit()
        session.close()
    return app, cohort, statements


def first_answers(cohort: Cohort, statements: list[dict[str, Any]]) -> dict[str, dict[int, bool]]:
    """question key -> learner number -> was the first answer right, straight from the statements."""
    out: dict[str, dict[int, bool]] = defaultdict(dict)
    for st in statements:
        if st["verb"]["id"].endswith("/answered") and "/question/" in st["object"]["id"]:
            kind_id = records.place(cohort.tracker["iri"], st["object"]["id"])
            assert kind_id is not None
            n = int(st["actor"]["account"]["name"].split("-")[1]) - 1
            out[kind_id[1]].setdefault(n, st["result"]["success"])
    return out


def spearman(xs: list[float], ys: list[float]) -> float:
    def ranks(values: list[float]) -> list[float]:
        order = sorted(range(len(values)), key=values.__getitem__)
        out = [0.0] * len(values)
        for rank, i in enumerate(order):
            out[i] = rank
        return out

    rx, ry = ranks(xs), ranks(ys)
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    cov = sum((a - mx) * (b - my) for a, b in zip(rx, ry, strict=True))
    return cov / math.sqrt(sum((a - mx) ** 2 for a in rx) * sum((b - my) ** 2 for b in ry))


def report(app: Any, **scope: Any) -> tuple[Any, reports.Scope]:
    session = session_for(app)
    course_id = session.scalars(select(LearningRecord.course_id).limit(1)).one()
    return session, reports.Scope(course_id, **scope)


def test_item_statistics_match_the_statements_and_the_simulation(recorded):
    app, cohort, statements = recorded
    session, scope = report(app, lang="en")
    with app.app_context():
        items = {i.question: i for i in reports.item_analysis(session.connection(), scope)}
    session.close()
    firsts = first_answers(cohort, statements)
    assert set(items) == set(firsts) and len(items) >= 15

    # exactly what the statements say: learners, facility, and the upper and lower 27 % by share correct, the
    # learners of the share at a group's edge each counted by the part of them the group takes
    share: dict[int, list[bool]] = defaultdict(list)
    for answers in firsts.values():
        for n, right in answers.items():
            share[n].append(right)
    of_share: dict[Fraction, list[int]] = defaultdict(list)
    for n, rights in share.items():
        of_share[Fraction(sum(rights), len(rights))].append(n)
    cut = math.floor(len(share) * 27 / 100)

    def group(top: bool) -> dict[int, float]:
        weights, room = {}, cut
        for value in sorted(of_share, reverse=top):
            if room <= 0:
                break
            part = min(1.0, room / len(of_share[value]))
            weights.update(dict.fromkeys(of_share[value], part))
            room -= len(of_share[value])
        return weights

    upper, lower = group(top=True), group(top=False)
    assert sum(upper.values()) == pytest.approx(cut) and sum(lower.values()) == pytest.approx(cut)

    def facility(answers: dict[int, bool], weights: dict[int, float]) -> float:
        taken = [(weights[n], right) for n, right in answers.items() if n in weights]
        return sum(w * right for w, right in taken) / sum(w for w, _ in taken)

    for key, answers in firsts.items():
        item = items[key]
        assert item.learners == len(answers)
        assert item.facility == pytest.approx(sum(answers.values()) / len(answers), abs=1e-9)
        expected = facility(answers, upper) - facility(answers, lower)
        assert item.discrimination == pytest.approx(expected, abs=1e-9)
        assert item.attempts >= item.learners and item.median_seconds is not None and item.median_seconds > 0

    # the simulation: facility within 3.5 standard errors (+0.01) of the model's expectation for the learners
    # who answered; the order of the questions by facility kept (Spearman ≥ 0.9); discrimination positive
    # wherever 200 learners answered, and larger for items the model makes more discriminating, on the whole
    expected, observed, slopes, ds = [], [], [], []
    for key, answers in firsts.items():
        model = cohort.items[key]
        p = [model.p_correct(cohort.abilities[n]) for n in answers]
        mean = sum(p) / len(p)
        error = math.sqrt(sum(x * (1 - x) for x in p)) / len(p)
        assert abs(items[key].facility - mean) <= 3.5 * error + 0.01, (key, items[key].facility, mean)
        expected.append(mean)
        observed.append(items[key].facility)
        if len(answers) >= 200:
            assert items[key].discrimination > 0.05, (key, items[key].discrimination)
            slopes.append(model.discrimination * mean * (1 - mean))
            ds.append(items[key].discrimination)
    assert spearman(expected, observed) >= 0.9
    assert spearman(slopes, ds) >= 0.5


def test_flags_follow_the_thresholds():
    item = reports.Item("q/1", 100, 120, 0.95, 0.1, 0.99, 0.89, 20.0)
    assert item.flags == ["too-easy", "poor-discrimination"]
    assert reports.Item("q/2", 100, 100, 0.2, 0.5, 0.5, 0.0, 20.0).flags == ["too-hard"]
    assert reports.Item("q/3", 3, 3, None, None, None, None, None).flags == []  # suppressed: nothing to judge


def test_funnel_and_competency_evidence_add_up(recorded):
    app, cohort, _statements = recorded
    session, scope = report(app, lang="en")
    outline_tests = []
    with app.app_context():
        from studio.analytics.outline import outline

        tests = outline(cohort.course).tests
        steps = reports.funnel(session.connection(), scope)
        evidence = reports.competency_evidence(session.connection(), scope, tests)
        outline_tests = tests
    session.close()
    lessons = [lesson.id for lesson in cohort.course.lessons]
    by_lesson = {s.lesson: s for s in steps}
    opened = [by_lesson[lesson].opened for lesson in lessons]
    assert opened[0] == LEARNERS
    assert opened == sorted(opened, reverse=True)  # learners open the lessons in order and leave on the way
    for before, after in itertools.pairwise(lessons):
        step = by_lesson[before]
        assert step.completed == by_lesson[after].opened
        assert step.left == step.opened - by_lesson[after].opened  # who did not open the next one left here
    declared = {lesson.id: lesson.learning_minutes for lesson in cohort.course.lessons}
    for lesson in lessons:  # the simulation spends 0.6-1.4 of the declared minutes, plus the answers
        assert 0.5 * declared[lesson] <= by_lesson[lesson].median_minutes <= 1.5 * declared[lesson] + 3

    names = {c for _, c in outline_tests}
    overall = {e.competency: e for e in evidence if e.org_unit is None}
    assert set(overall) == names
    for e in overall.values():
        assert 0 < e.learners <= LEARNERS and 0 <= e.mastered <= e.learners
    units = [e for e in evidence if e.org_unit is not None]
    assert {e.org_unit for e in units} == set(UNITS)
    for name in names:
        assert sum(e.learners for e in units if e.competency == name) == overall[name].learners


def test_competency_evidence_from_its_tally_equals_a_count_and_a_changed_course_is_counted_afresh(recorded):
    """The tally answers while the course tests the competencies it was counted with; a course whose
    questions test other competencies since is counted from the summary rows, until the owner recounts."""
    from studio.analytics import tallies
    from studio.analytics.outline import outline
    from studio.jobs import queue
    from studio.models import Job

    app, cohort, _statements = recorded
    tests = outline(cohort.course).tests
    changed = [(q, c) for q, c in tests if not q.startswith(tests[0][0].split("/")[0])]  # a quiz tests nothing now
    assert 0 < len(changed) < len(tests)
    session, scope = report(app)
    with app.app_context():
        conn = session.connection()
        assert reports.competencies_tallied(conn, scope, tests) and not reports.competencies_tallied(
            conn, scope, changed
        )
        counted = reports.competency_evidence(conn, scope, changed)  # from the summary rows
        tallies.adopt_map(conn, scope.course, changed)
        assert reports.competencies_tallied(conn, scope, changed)
        assert reports.competency_evidence(conn, scope, changed) == counted  # from the tally, the same
        session.commit()  # the studio has now counted a mapping the course no longer has

    author = Person(app, "author@inst.example")
    page = author.get(URL + "/competencies").get_data(as_text=True)
    assert "counted afresh each time" in page and "Count the evidence again" in page
    answer = author.post(URL + "/competencies/recount", {"csrf_token": csrf(page)})
    assert answer.status_code == 302
    with app.app_context():
        job = session.scalars(select(Job).where(Job.kind == records.RECOUNT)).one()
        assert author.get(URL + "/competencies").get_data(as_text=True).count("A recount is under way") == 1
        queue.execute(app, job.id)
        session.refresh(job)
        assert job.status == "done", job.message
        assert reports.competencies_tallied(session.connection(), scope, tests)
    session.close()
    assert "counted afresh" not in author.get(URL + "/competencies").get_data(as_text=True)


def test_small_groups_are_hidden_in_the_pages_and_the_csv(recorded):
    app, _cohort, _statements = recorded
    author = Person(app, "author@inst.example")
    page = author.get(URL + "/competencies").get_data(as_text=True)
    assert TINY in page and "fewer than 5" in page  # the four learners of the tiny unit, all languages
    rows = list(csv.reader(io.StringIO(author.get(URL + "/competencies.csv").get_data(as_text=True))))
    assert rows[0][:2] == ["competency", "organisation unit"] and len(rows) > 5
    assert not any(TINY in cell for row in rows for cell in row)
    assert {row[1] for row in rows[1:]} == {"", *UNITS}

    hindi = author.get(URL + "/?lang=hi").get_data(as_text=True)  # only the four learners wrote in Hindi
    assert "fewer than 5" in hindi and "%" not in hindi.split("<tbody>")[1].split("</tbody>")[0]
    assert len(list(csv.reader(io.StringIO(author.get(URL + "/items.csv?lang=hi").get_data(as_text=True))))) == 1
    reflections = author.get(URL + "/reflections?lang=hi").get_data(as_text=True)
    assert "Read the texts" not in reflections and "fewer than 5" in reflections
    chosen = author.get(URL + "/reflections?lang=hi&reflection=x").get_data(as_text=True)
    assert "the texts are not shown" in chosen
    texts = author.get(URL + "/reflection-texts.csv?lang=hi&reflection=x").get_data(as_text=True)
    assert texts.count("\n") == 1  # the header only


def test_the_report_pages_show_the_course_and_link_to_the_editor(recorded):
    app, cohort, _statements = recorded
    author = Person(app, "author@inst.example")
    page = author.get(URL + "/").get_data(as_text=True)
    quiz = cohort.course.quizzes[0]
    lesson = next(lesson for lesson in cohort.course.lessons if quiz in lesson.quizzes)
    link = f"/o/inst/c/karmayogi-prarambh/edit/{lesson.path}?line={quiz.questions[0].line}"
    assert link in page and 'role="img"' in page and "<title" in page and "<table>" in page
    assert 'aria-labelledby="facility-t facility-d"' in page
    for address in ("/funnel", "/competencies", "/reflections"):
        answer = author.get(URL + address)
        assert answer.status_code == 200
        assert "<svg" in answer.get_data(as_text=True) or address == "/reflections"
    reflection = next(r for lesson in cohort.course.lessons for r in lesson.reflections)
    texts = author.get(URL + f"/reflections?reflection={reflection.id}").get_data(as_text=True)
    assert "consent not recorded" in texts and "Learner " in texts and "learner-0" not in texts
    assert author.get(URL + "/funnel.csv").headers["Content-Disposition"].startswith("attachment")
    assert Person(app, "reviewer@inst.example").get(URL + "/").status_code == 403


def test_csv_cells_never_start_a_formula():
    text = reports.csv_text(["a", "b"], [["=1+2", "+x"], ["-3", "@SUM(A1)"], [-3, "plain"], ["\tx", "x=1"]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1:] == [["'=1+2", "'+x"], ["'-3", "'@SUM(A1)"], ["-3", "plain"], ["'\tx", "x=1"]]


def test_a_reflection_text_that_looks_like_a_formula_is_defused(recorded):
    app, cohort, _statements = recorded
    reflection = next(r for lesson in cohort.course.lessons for r in lesson.reflections)
    author = Person(app, "author@inst.example")
    body = author.get(URL + f"/reflection-texts.csv?reflection={reflection.id}").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) > 100 and all(not row[4].startswith(("=", "+", "-", "@")) for row in rows[1:])
    assert "'" + FORMULA in [row[4] for row in rows]
