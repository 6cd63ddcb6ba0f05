"""iGOT metadata beyond a package (issue 19): competencies v6 from a framework file, categories and
programmes (their hierarchy valid by iGOT's collection schema), iGOT's language names and languageMapV1."""

from __future__ import annotations

import json
import shutil
import uuid
from pathlib import Path

import pytest

from packager import build, check_course, load_course
from packager.errors import ExportError
from packager.export import igot, xapi_core
from packager.igot import languages
from packager.igot.competencies import framework_of
from packager.model import Competency
from tests.conftest import COURSE_YML, ROOT, SAMPLE, write

# ../shared/standards beside the main checkout; a worktree under <checkout>/../wt/ has it one level higher
IGOT_SCHEMAS = next(
    (
        p / "igot"
        for p in (ROOT.parent / "shared" / "standards", ROOT.parent.parent / "shared" / "standards")
        if p.is_dir()
    ),
    None,
)

FRAMEWORK = """\
framework: kcmfinal_fw
areas:
  - name: Behavioural
    id: kcmfinal_fw_competencyarea_a1
    ref: a1
    themes:
      - name: Integrity
        id: kcmfinal_fw_theme_t1
        ref: t1
        subthemes:
          - {name: Ethical decision-making, id: kcmfinal_fw_subtheme_s1, ref: s1}
  - name: Domain
    id: kcmfinal_fw_competencyarea_a2
    ref: a2
    themes:
      - {name: Public administration, id: kcmfinal_fw_theme_t2, ref: t2}
"""


def schema(name: str) -> dict:
    if IGOT_SCHEMAS is None or not (IGOT_SCHEMAS / name).is_file():
        pytest.skip(f"iGOT's {name} is not in ../shared/standards/igot on this machine")
    return json.loads((IGOT_SCHEMAS / name).read_text("utf-8"))


def schema_errors(obj: dict, name: str) -> list[str]:
    import jsonschema

    validator = jsonschema.Draft7Validator(schema(name))
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(obj)]


def problems(root: Path) -> list[str]:
    return [p.format() for p in check_course(load_course(root, use_cache=False))]


# ---- competencies v6 --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("igot")
    return out, build(SAMPLE, ["igot"], "all", out)


def test_the_sample_builds_igot_in_every_language_without_errors(sample_builds):
    out, report = sample_builds
    assert not report.failures
    assert sorted(report.problems) == ["en", "hi", "ur"]
    assert all(not report.errors(lang) for lang in report.problems)
    assert not any("competency framework" in p.message for lang in report.problems for p in report.warnings(lang))
    names = {
        lang: json.loads(next(out.glob(f"*-{lang}-igot-metadata.json")).read_text("utf-8")) for lang in report.problems
    }
    assert {lang: meta["language"] for lang, meta in names.items()} == {
        "en": ["English"],
        "hi": ["Hindi"],
        "ur": ["Urdu"],
    }
    # every version links to the others, the one the course is written in as the base
    for lang, meta in names.items():
        assert meta["languageMapV1"] == {
            "english": {"id": "karmayogi-prarambh-en", "status": "Draft", "isBaseLang": True},
            "hindi": {"id": "karmayogi-prarambh-hi", "status": "Draft", "isBaseLang": False},
            "urdu": {"id": "karmayogi-prarambh-ur", "status": "Draft", "isBaseLang": False},
        }
        assert meta["code"] == f"karmayogi-prarambh-{lang}"


def test_sample_metadata_carries_competencies_v6_beside_v5(sample_builds):
    out, _ = sample_builds
    meta = json.loads(next(out.glob("*-en-igot-metadata.json")).read_text("utf-8"))
    assert len(meta["competencies_v5"]) == len(meta["competencies_v6"]) == 5
    integrity = meta["competencies_v6"][0]
    assert set(integrity) == {
        f"competency{level}{part}"
        for level in ("Area", "Theme", "SubTheme")
        for part in ("Name", "Identifier", "RefId")
    }
    assert (integrity["competencyAreaName"], integrity["competencyThemeName"], integrity["competencySubThemeName"]) == (
        "Behavioural",
        "Integrity",
        "Ethical decision-making",
    )
    # iGOT's shape: the identifier is the framework's code, the level and the reference id
    for level, word in (("Area", "competencyarea"), ("Theme", "theme"), ("SubTheme", "subtheme")):
        ref = integrity[f"competency{level}RefId"]
        assert uuid.UUID(ref) and integrity[f"competency{level}Identifier"] == f"kcmfinal_fw_{word}_{ref}"


def test_a_course_with_its_framework_names_competencies_in_its_spelling(make_course):
    yml = COURSE_YML + "competencies:\n  - {area: Behavioural, theme: INTEGRITY, subtheme: ethical decision-making}\n"
    root = make_course({"course.yml": yml, "competencies.yml": FRAMEWORK})
    course = load_course(root, use_cache=False)
    assert problems(root) == []
    (entry,) = igot.metadata(course, "en", None)["competencies_v6"]
    assert entry["competencyThemeName"] == "Integrity" and entry["competencySubThemeRefId"] == "s1"
    assert entry["competencyAreaIdentifier"] == "kcmfinal_fw_competencyarea_a1"


def test_a_competency_not_in_the_framework_is_an_error_at_its_line_with_the_nearest(make_course):
    yml = COURSE_YML + (
        "competencies:\n"
        "  - {area: Behavioural, theme: Integrity, subtheme: Ethical decisions}\n"
        "  - {area: Domain, theme: Public admin}\n"
    )
    lesson = "---\ntitle: Lesson A\ncompetencies:\n  - {area: Behavioural, theme: Integrty}\n---\nHello.\n"
    root = make_course({"course.yml": yml, "competencies.yml": FRAMEWORK, "lessons/a.md": lesson})
    assert problems(root) == [
        "course.yml:12: error: subtheme 'Ethical decisions' of Behavioural / Integrity is not in competencies.yml "
        "(did you mean 'Ethical decision-making'?)",
        "course.yml:13: error: theme 'Public admin' of Domain is not in competencies.yml "
        "(did you mean 'Public administration'?)",
        "lessons/a.md:4: error: theme 'Integrty' of Behavioural is not in competencies.yml (did you mean 'Integrity'?)",
    ]


def test_a_shared_framework_named_in_course_yml(tmp_path):
    write(tmp_path / "shared", {"igot-framework.yml": FRAMEWORK})
    yml = (
        COURSE_YML
        + "competency_framework: ../shared/igot-framework.yml\ncompetencies:\n  - {area: Domain, theme: Law}\n"
    )
    root = write(tmp_path / "course", {"course.yml": yml, "lessons/a.md": "---\ntitle: A\n---\nHello.\n"})
    assert problems(root) == [
        "course.yml:13: error: theme 'Law' of Domain is not in ../shared/igot-framework.yml",
    ]
    (root / "course.yml").write_text(yml.replace("igot-framework.yml", "other.yml"), "utf-8")
    assert problems(root)[0] == "course.yml:11: error: competency_framework: there is no file '../shared/other.yml'"
    # the studio keeps an organisation's courses in one folder: a path may not leave it
    (root / "course.yml").write_text(yml.replace("../shared/igot-framework.yml", "../../etc/f.yml"), "utf-8")
    assert problems(root)[0] == (
        "course.yml:11: error: competency_framework: '../../etc/f.yml' leaves the folder that holds the course"
    )
    (root / "course.yml").write_text(yml.replace("igot-framework.yml", "f.json"), "utf-8")
    assert problems(root)[0].startswith("course.yml:11: error: 'competency_framework': must name a YAML file")


def test_a_broken_framework_file_is_reported_at_its_line(make_course):
    yml = COURSE_YML + "competencies:\n  - {area: Domain, theme: Law}\n"
    broken = FRAMEWORK.replace("    ref: a2\n", "    ref: a2\n    colour: red\n")
    root = make_course({"course.yml": yml, "competencies.yml": broken})
    assert problems(root) == ["competencies.yml:15: error: unknown key 'areas.1.colour'"]


def test_without_a_framework_the_names_stay_and_the_igot_build_warns_that_v6_needs_ids(make_course, tmp_path, caplog):
    root = make_course({"course.yml": COURSE_YML + "competencies:\n  - {area: Domain, theme: Law}\n"})
    assert problems(root) == []  # a course not (yet) for iGOT checks clean, the studio's starter among them
    meta = igot.metadata(load_course(root, use_cache=False), "en", None)
    assert "competencies_v6" not in meta
    assert meta["competencies_v5"] == [{"competencyArea": "Domain", "competencyTheme": "Law"}]
    with caplog.at_level("WARNING", logger="packager.export.igot"):
        assert not build(root, ["igot"], None, tmp_path).failures
    assert "test-course: no competency framework (competencies.yml): iGOT's competencies v6 need" in caplog.text


def test_xapi_statements_carry_the_framework_ids_and_stay_valid(make_course):
    from tests.lrs import validate_statements

    yml = COURSE_YML + "competencies:\n  - {area: Behavioural, theme: Integrity, subtheme: Ethical decision-making}\n"
    course = load_course(make_course({"course.yml": yml, "competencies.yml": FRAMEWORK}), use_cache=False)
    (activity,) = xapi_core.tracker_config(course, "en", "xapi")["competencies"]
    framework, _ = framework_of(course)
    assert activity["definition"]["extensions"][xapi_core.COMPETENCY_V6_EXT] == framework.v6(course.competencies[0])
    assert activity["definition"]["extensions"][xapi_core.COMPETENCY_V6_EXT]["competencySubThemeRefId"] == "s1"
    statement = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "account": {"homePage": "https://example.org", "name": "learner-1"}},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en": "answered"}},
        "object": {"objectType": "Activity", "id": xapi_core.Iris.of(course).base + "/q1"},
        "context": {"contextActivities": {"other": [activity]}},
        "timestamp": "2026-01-15T10:00:00Z",
    }
    assert validate_statements([statement]) == {}
    no_ids = xapi_core.competency_activity(Competency("Domain", "Law"), "en")
    assert xapi_core.COMPETENCY_V6_EXT not in no_ids["definition"]["extensions"]


# ---- languages --------------------------------------------------------------------------------------


def test_igot_language_names_are_a_closed_list():
    scheduled = {
        "Assamese", "Bengali", "Bodo", "Dogri", "Gujarati", "Hindi", "Kannada", "Kashmiri", "Konkani", "Maithili",
        "Malayalam", "Manipuri", "Marathi", "Nepali", "Odia", "Punjabi", "Sanskrit", "Santali", "Sindhi", "Tamil",
        "Telugu", "Urdu",
    }  # fmt: skip
    assert set(languages.LANGUAGES) == scheduled | {"English", "Ho", "Munda", "Juang"}
    assert [languages.igot_name(c) for c in ("sat", "hoc", "unr", "jun", "bn", "or", "gom", "en-IN")] == [
        "Santali", "Ho", "Munda", "Juang", "Bengali", "Odia", "Konkani", "English",
    ]  # fmt: skip
    with pytest.raises(ExportError, match=r"iGOT has no language 'fr': its languages are .*sat \(Santali\)"):
        languages.igot_name("fr")
    with pytest.raises(ExportError, match=r"iGOT has no language 'hin' \(did you mean 'hi'\?\)"):
        languages.igot_name("hin")


def test_the_language_list_holds_every_name_of_igots_content_schema():
    enum = schema("content.schema.json")["properties"]["language"]["items"]["enum"]
    assert set(enum) - {"Other"} <= set(languages.LANGUAGES)


def test_a_package_in_a_language_igot_lacks_is_refused_before_writing(make_course, tmp_path):
    root = make_course({"course.yml": COURSE_YML.replace("language: en", "language: fr")})
    report = build(root, ["igot"], None, tmp_path / "out")
    (failure,) = report.failures
    assert failure.message.startswith("iGOT has no language 'fr': its languages are")
    assert not list((tmp_path / "out").glob("*"))


# ---- categories and programmes ----------------------------------------------------------------------


def test_the_category_is_checked_with_the_nearest(make_course):
    root = make_course({"course.yml": COURSE_YML + "category: Blended Programme\n"})
    (found,) = problems(root)
    assert found.startswith(
        "course.yml:11: error: 'category': 'Blended Programme' is not an iGOT category "
        "(did you mean 'Blended Program'?)"
    )
    root = make_course({"course.yml": COURSE_YML + "category: Moderated Course\n"})
    assert problems(root) == []
    assert igot.metadata(load_course(root, use_cache=False), "en", None)["primaryCategory"] == "Moderated Course"


def test_only_a_programme_lists_courses_and_may_have_no_modules(make_course):
    no_modules = COURSE_YML.split("modules:")[0]
    root = make_course({"course.yml": no_modules + "courses:\n  - {id: do_1139}\n"})
    assert problems(root) == [
        "course.yml:1: error: missing required key 'modules'",
        "course.yml:8: error: 'courses' is for a programme: set category: to one of Program, Blended Program, "
        "Curated Program",
    ]
    root = make_course({"course.yml": no_modules + "category: Program\nsessions:\n  - {title: Field visit, date: "
                        "2026-01-15, place: Delhi, facilitator: A. Rao}\n"})  # fmt: skip
    assert problems(root) == ["course.yml:9: error: offline sessions are for a blended programme (Blended Program)"]
    root = make_course({"course.yml": no_modules + "category: Curated Program\n"})
    assert problems(root) == ["course.yml:1: error: a programme lists its courses: (or sessions:, or modules:)"]
    root = make_course({"course.yml": no_modules + "category: Program\ncourses:\n  - {path: ../nowhere}\n"})
    assert problems(root) == ["course.yml:10: error: no course.yml in '../nowhere'"]
    root = make_course({"course.yml": no_modules + "category: Program\ncourses:\n  - {path: ../../other-org/c}\n"})
    assert problems(root) == ["course.yml:10: error: '../../other-org/c' leaves the folder that holds this course"]


def test_a_session_needs_a_real_date(make_course):
    yml = (
        COURSE_YML
        + "category: Blended Program\nsessions:\n  - {title: Field visit, date: 2026-02-30, place: D, facilitator: R}\n"
    )
    assert problems(make_course({"course.yml": yml})) == [
        "course.yml:13: error: 'sessions.0.date': 2026-02-30 is not a date of the calendar"
    ]


PROGRAMME_YML = """\
id: induction-programme
version: 1.0.0
title: Induction programme for new appointees
summary: The sample course, a course already on iGOT and two days in a classroom.
language: en
provider: {id: istm, name: Institute of Secretariat Training and Management}
category: Blended Program
competencies:
  - {area: Behavioural, theme: Integrity}
courses:
  - path: ../karmayogi-prarambh
  - {id: do_113900000000000000001, title: Noting and drafting essentials}
sessions:
  - {title: Field visit to a grievance cell, date: 2026-02-12, place: "CPGRAMS cell, New Delhi", facilitator: A. Rao,
     minutes: 180}
  - {title: Workshop on the conduct rules, date: 2026-02-05T10:00, place: "ISTM, New Delhi", facilitator: B. Sen}
"""


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    top = tmp_path_factory.mktemp("programmes")
    shutil.copytree(SAMPLE, top / "karmayogi-prarambh", ignore=shutil.ignore_patterns(".*"))
    return write(top / "induction", {"course.yml": PROGRAMME_YML, "competencies.yml": FRAMEWORK})


def test_a_programme_without_lessons_of_its_own_checks_clean(programme):
    course = load_course(programme, use_cache=False)
    assert not course.lessons and course.category == "Blended Program" and len(course.sessions) == 2
    assert problems(programme) == []


def test_a_programme_exports_igots_hierarchy_valid_by_its_collection_schema(programme, tmp_path):
    report = build(programme, ["igot"], None, tmp_path)
    assert not report.failures, report.failures
    (package,) = report.packages
    assert package.path.name == "induction-programme-1.0.0-en-igot-hierarchy.json"
    assert not list(tmp_path.glob("*.zip"))  # no lessons of its own: nothing to upload as an archive
    tree = json.loads(package.path.read_text("utf-8"))
    assert tree["primaryCategory"] == "Blended Program" and tree["language"] == ["English"]
    assert tree["mimeType"] == "application/vnd.ekstep.content-collection"
    assert tree["competencies_v6"][0]["competencyThemeRefId"] == "t1"
    sample, on_igot, workshop, visit = tree["children"]
    assert (sample["code"], sample["language"], sample["primaryCategory"]) == (
        "karmayogi-prarambh-en",
        ["English"],
        "Course",
    )
    assert len(sample["competencies_v6"]) == 5  # the listed course's own framework
    assert on_igot["identifier"] == "do_113900000000000000001" and on_igot["status"] == "Live"
    # offline sessions: placeholders by date, with when, where and who
    assert [workshop["name"], visit["name"]] == ["Workshop on the conduct rules", "Field visit to a grievance cell"]
    assert visit["primaryCategory"] == "Offline Session" and visit["learningMode"] == "Classroom"
    assert visit["sessionDetails"] == {
        "title": "Field visit to a grievance cell",
        "sessionType": "Offline",
        "startDate": "2026-02-12",
        "venue": "CPGRAMS cell, New Delhi",
        "facilitators": ["A. Rao"],
        "sessionDuration": "10800",
    }
    assert [c["index"] for c in tree["children"]] == [1, 2, 3, 4] and tree["childNodes"][0] == "karmayogi-prarambh-en"
    assert int(tree["duration"]) == int(sample["duration"]) + 10800
    assert schema_errors(tree, "collection.schema.json") == []
    for child in (sample, on_igot):
        assert schema_errors(child, "collection.schema.json") == []
    for child in (workshop, visit):
        assert schema_errors(child, "content.schema.json") == []


def test_a_schema_violation_in_a_hierarchy_is_caught():
    bad = {"name": "Abc", "status": "Draft", "mimeType": "application/vnd.ekstep.content-collection"}
    found = schema_errors(bad, "collection.schema.json")
    assert any("'channel' is a required property" in e for e in found)
    assert any("'Abc' is too short" in e for e in found)


@pytest.mark.parametrize(
    "extra",
    [
        "category: Moderated Course",
        "category: Programme",
        "competency_framework: ../shared/competencies.yml",
        "competency_framework: /etc/competencies.yml",
        "competency_framework: competencies.json",
    ],
)
def test_the_new_keys_read_without_the_schema_are_what_the_schema_reads(extra):
    from packager import load, schema, yamlsrc

    doc = yamlsrc.parse(COURSE_YML + extra + "\n", "course.yml")
    spec, _ = schema.validate(schema.CourseSpec, doc, "course.yml")
    plain = load._plain_course_fields(doc.value)
    assert (spec is None) == (plain is None)
    if spec is not None:
        assert plain == load._course_fields(spec)
