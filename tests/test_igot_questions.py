"""Quizzes as iGOT question sets (Sunbird question objects), their round trip, and the assessment sheet."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from packager import load_course
from packager.build import build
from packager.errors import ExportError
from packager.igot import questions, reader, schema_rules, sheet
from tests.conftest import COURSE_YML, ROOT, SAMPLE, write

# beside the checkout (../shared), or beside the folder of worktrees a checkout may sit in
IGOT = next(
    (p / "shared" / "standards" / "igot" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()),
    ROOT.parent / "shared" / "standards" / "igot",
)

ALL_KINDS = """\
---
title: Checking what you know
minutes: 5
---
::: quiz id=kinds pass=60 draw=4 attempts=2 shuffle=no time=15 category=competency
Answer every question.

### Who answers a grievance? {id=k-single points=2}
- [ ] Anyone in the office
  > No: one officer is named.
- [x] The officer named in the acknowledgement

The acknowledgement names them.

### Which are gifts? {multiple id=k-multi}
- [x] A free air ticket
- [x] A hamper
- [ ] Your salary

### A grievance must be acknowledged. {id=k-tf}
- [x] True
- [ ] False

### Which register records grievances? {id=k-fill}
= grievance register
= the grievance register

### Match each kind to an example {match id=k-match}
- Behavioural -> Explaining patiently
- Functional -> Using e-Office
- Domain -> Pension rules

### Put the steps in order {order id=k-order}
1. Receive
2. Reply
:::

::: check id=k-practice category=practice
### Is a gift from a supplier acceptable? {id=k-check}
- [ ] Yes
- [x] No
:::

::: check id=k-unexported
### Is this exported? {id=k-not}
- [ ] Yes
- [x] No
:::
"""


@pytest.fixture(scope="module")
def kinds_build(tmp_path_factory: pytest.TempPathFactory):
    root = write(tmp_path_factory.mktemp("kinds") / "course", {"course.yml": COURSE_YML, "lessons/a.md": ALL_KINDS})
    out = root.parent / "out"
    report = build(root, ["igot"], None, out)
    assert report.ok, report.failures
    return root, out, report


def _unpacked(out: Path, folder: Path | None = None) -> Path:
    folder = folder or out / "unpacked"
    with zipfile.ZipFile(out / "test-course-1.0.0-en-igot-assessments.zip") as zf:
        zf.extractall(folder)
    return folder


def _validate_with_igot_schemas(made: questions.Assessments) -> None:
    if not IGOT.is_dir():
        pytest.skip("iGOT's schemas are not in ../shared/standards/igot on this machine (they are not shipped)")
    import jsonschema

    questionset = json.loads((IGOT / "questionset.schema.json").read_text("utf-8"))
    question = json.loads((IGOT / "question.schema.json").read_text("utf-8"))
    for made_set in made.sets:
        jsonschema.validate(made_set.questionset, questionset)
        for obj in made_set.questions:
            jsonschema.validate(obj, question)


@pytest.mark.parametrize("lang", ["en", "hi"])
def test_every_graded_quiz_of_the_sample_course_converts_in_every_language(lang):
    course = load_course(SAMPLE, lang=lang)
    made = questions.assessments(course, {"en": "English", "hi": "Hindi"}[lang], "CC BY 4.0")
    graded = [quiz.id for quiz in course.quizzes if quiz.graded]
    assert [s.quiz.id for s in made.sets] == graded == ["final"]
    final = made.sets[0]
    assert final.questionset["primaryCategory"] == "Course Assessment"
    assert (final.questionset["maxQuestions"], final.questionset["maxAttempts"]) == (5, 3)
    assert final.questionset["minimumPassPercentage"] == 70
    # the order question is left out: seven of the eight remain, each with its iGOT type
    kinds = ["MCQ-SCA", "MCQ-MCA", "MCQ-SCA", "MCQ-MCA", "FTB", "MTF", "MCQ-SCA"]
    assert [q["qType"] for q in final.questions] == kinds
    source = next(q for q in course.quizzes if q.id == "final").questions[0]
    assert final.questions[0]["name"] == source.prompt_text  # the translated prompt in the Hindi build
    assert all(not schema_rules.violations(q, schema_rules.QUESTION_FIELDS) for q in final.questions)
    _validate_with_igot_schemas(made)


def test_a_course_with_every_kind_converts_and_validates(kinds_build):
    root, _, _ = kinds_build
    made = questions.assessments(load_course(root), "English", "CC BY 4.0")
    assert [s.quiz.id for s in made.sets] == ["kinds", "k-practice"]  # a check only with category=
    kinds, practice = made.sets
    assert [q["qType"] for q in kinds.questions] == ["MCQ-SCA", "MCQ-MCA", "MCQ-SCA", "FTB", "MTF"]
    meta = kinds.questionset
    assert meta["primaryCategory"] == "Competency Assessment"
    assert (meta["shuffle"], meta["expectedDuration"], meta["showTimer"]) == (False, 900, "Yes")
    assert practice.questionset["primaryCategory"] == "Practice Question Set"
    assert practice.questionset["showFeedback"] == "Yes" and "minimumPassPercentage" not in practice.questionset
    # where iGOT's scoring reads the answers
    single = kinds.questions[0]["editorState"]["options"]
    assert [(o["answer"], o["value"]["value"]) for o in single] == [(False, 0), (True, 1)]
    assert kinds.questions[3]["editorState"]["options"] == [
        {"answer": True, "value": {"body": "grievance register", "value": 0}}
    ]
    assert kinds.questions[4]["editorState"]["options"][1] == {
        "answer": "Using e-Office",
        "value": {"body": "Functional", "value": 1},
    }
    _validate_with_igot_schemas(made)


def test_the_build_writes_the_assessments_beside_the_archive_and_warns_of_the_order_question(kinds_build):
    _, out, report = kinds_build
    with zipfile.ZipFile(out / "test-course-1.0.0-en-igot-assessments.zip") as zf:
        names = sorted(zf.namelist())
    assert "kinds/hierarchy.json" in names and "kinds/sheet.csv" in names and "kinds/questions/k-fill.json" in names
    assert "kinds/questions/k-order.json" not in names
    with zipfile.ZipFile(out / "test-course-1.0.0-en-igot.zip") as zf:  # the learners' archive holds no answer key
        assert not any("questionset" in name for name in zf.namelist())
    warnings = [p.format() for p in report.warnings("en")]
    line = ALL_KINDS.splitlines().index("### Put the steps in order {order id=k-order}") + 1
    assert (
        f"lessons/a.md:{line}: warning: question 'Put the steps in order' is an ordering question, which iGOT has no "
        "question type for: it stays in the HTML package's quiz but is left out of the question set 'kinds'"
    ) in warnings
    assert any("only 'grievance register' is right, not the other answer this question accepts" in w for w in warnings)
    hierarchy = json.loads((_unpacked(out) / "kinds" / "hierarchy.json").read_text("utf-8"))["request"]["data"]
    assert hierarchy["hierarchy"]["kinds"]["children"] == ["k-single", "k-multi", "k-tf", "k-fill", "k-match"]
    assert hierarchy["nodesModified"]["k-fill"]["objectType"] == "Question"


def test_reading_the_question_sets_back_gives_the_same_questions_answers_and_settings(kinds_build):
    root, out, _ = kinds_build
    source = {quiz.id: quiz for quiz in load_course(root).quizzes}
    read = reader.read_package(_unpacked(out))
    assert sorted(quiz.id for quiz in read) == ["k-practice", "kinds"]
    for quiz in read:
        original = source[quiz.id]
        kept = [q for q in original.questions if q.kind != "order"]
        for got, want in zip(quiz.questions, kept, strict=True):
            assert (got.id, got.kind, got.points, got.prompt_html, got.prompt_more_html) == (
                want.id,
                want.kind,
                want.points,
                want.prompt_html,
                want.prompt_more_html,
            )
            assert [(o.id, o.html, o.correct, o.feedback_html) for o in got.options] == [
                (o.id, o.html, o.correct, o.feedback_html) for o in want.options
            ]
            assert got.answers == want.answers
            assert [(p.left, p.right) for p in got.pairs] == [
                (type(p.left)(p.left.id, p.left.html), type(p.right)(p.right.id, p.right.html)) for p in want.pairs
            ]
            assert got.explanation_html == want.explanation_html
        settings = ("pass_mark", "draw", "shuffle", "attempts", "time_limit", "category", "intro_html")
        want_settings = {key: getattr(original, key) for key in settings} | {"category": original.category or "course"}
        assert {key: getattr(quiz, key) for key in settings} == want_settings


def test_reading_back_refuses_what_the_studio_did_not_write(kinds_build, tmp_path):
    _, out, _ = kinds_build
    folder = _unpacked(out, tmp_path)
    hierarchy = folder / "kinds" / "hierarchy.json"
    payload = json.loads(hierarchy.read_text("utf-8"))
    payload["request"]["data"]["hierarchy"]["kinds"]["children"] = ["../../k-practice/questionset"]
    hierarchy.write_text(json.dumps(payload), "utf-8")
    with pytest.raises(ExportError, match=r"^kinds: not a question set this studio wrote \(ValueError"):
        reader.read_package(folder)


def test_a_schema_violation_is_caught_by_the_build_check(kinds_build):
    root, _, _ = kinds_build
    made = questions.assessments(load_course(root), "English", "CC BY 4.0").sets[0]
    bad = dict(made.questions[0], qType="ORDER", hint="extra")
    del bad["name"]
    assert schema_rules.violations(bad, schema_rules.QUESTION_FIELDS) == [
        "'name' is required",
        "'qType' must be one of MCQ, FTB, SA, MCQ-MCA, MCQ-SCA, MTF, not 'ORDER'",
        "'hint' is not a field of the schema",
    ]
    made.questionset["maxQuestions"] = "5"
    with pytest.raises(ExportError, match=r"lessons/a.md:\d+: quiz 'kinds' does not fit .*'maxQuestions' must be int"):
        questions.require_valid(made)
    if IGOT.is_dir():  # iGOT's own schema refuses them too
        import jsonschema

        schema = json.loads((IGOT / "question.schema.json").read_text("utf-8"))
        assert not jsonschema.Draft7Validator(schema).is_valid(bad)


def test_the_sheet_has_the_columns_and_rows_of_the_quiz(kinds_build):
    _, out, _ = kinds_build
    raw = (_unpacked(out) / "kinds" / "sheet.csv").read_bytes()
    assert raw.startswith(sheet.BOM)
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    head = ["QuestionNo", "QuestionType", "Question", "QuestionTagging"]
    assert rows[0] == head + [c for i in range(1, 8) for c in (f"Option{i}", f"isOption{i}Correct")]

    def row(*cells: str) -> list[str]:
        return [*cells, *[""] * (len(rows[0]) - len(cells))]

    assert rows[1:] == [
        row("1", "MCQ-SCA", "Who answers a grievance?", "Medium", "Anyone in the office", "No",
            "The officer named in the acknowledgement", "Yes"),
        row("2", "MCQ-MCA", "Which are gifts?", "Medium", "A free air ticket", "Yes", "A hamper", "Yes",
            "Your salary", "No"),
        row("3", "T/F", "A grievance must be acknowledged.", "Medium", "TRUE", "Yes", "FALSE", "No"),
        row("4", "FTB", "Which register records grievances? <blank>", "Medium", "grievance register", "Blank1",
            "the grievance register", "Blank1"),
        row("5", "MTF", "Match each kind to an example", "Medium", "Behavioural", "Explaining patiently",
            "Functional", "Using e-Office", "Domain", "Pension rules"),
    ]  # fmt: skip


def test_quiz_header_and_course_yml_choose_the_category(make_course):
    quiz = "::: {kind} {options}\n### Is a gift acceptable? {{id=q1}}\n- [ ] Yes\n- [x] No\n:::\n"
    lesson = "---\ntitle: Lesson A\nminutes: 5\n---\n"

    def problems(kind: str, options: str, course_yml: str = COURSE_YML) -> list[str]:
        root = make_course({"lessons/a.md": lesson + quiz.format(kind=kind, options=options), "course.yml": course_yml})
        return [p.format() for p in load_course(root).problems]

    assert problems("quiz", "category=exam") == [
        "lessons/a.md:5: error: category=exam must be one of practice, course, competency, standalone"
    ]
    assert problems("check", "category=course") == [
        "lessons/a.md:5: error: a '::: check' is ungraded, so its only category is practice; use '::: quiz' for course"
    ]
    assert problems("quiz", "time=0") == [
        "lessons/a.md:5: error: quiz option time=0 must be a whole number from 1 to 600"
    ]
    standalone = COURSE_YML + "igot: {assessment: standalone}\n"
    root = make_course({"lessons/a.md": lesson + quiz.format(kind="quiz", options=""), "course.yml": standalone})
    made = questions.assessments(load_course(root), "English", "CC BY 4.0")
    assert made.sets[0].questionset["primaryCategory"] == "Standalone Assessment"
    wrong = problems("quiz", "", COURSE_YML + "igot: {assessment: exam}\n")
    assert wrong[0].startswith("course.yml:11: error: 'igot.assessment' must be 'practice', 'course'")


def test_the_build_checks_rules_agree_with_igots_schemas():
    if not IGOT.is_dir():
        pytest.skip("iGOT's schemas are not in ../shared/standards/igot on this machine (they are not shipped)")
    json_types = {"string": str, "number": int, "boolean": bool, "object": dict, "array": list}
    for kind, rules in (("question", schema_rules.QUESTION_FIELDS), ("questionset", schema_rules.SET_FIELDS)):
        schema = json.loads((IGOT / f"{kind}.schema.json").read_text("utf-8"))
        assert tuple(schema["required"]) == schema_rules.REQUIRED
        for key, rule in rules.items():
            prop = schema["properties"][key]
            assert json_types[prop["type"]] in rule.types, key
            assert set(rule.enum) == set(prop.get("enum", ())), key
            assert set(rule.items) == set(prop.get("items", {}).get("enum", ())), key
            assert rule.min_length == prop.get("minLength", 0), key
