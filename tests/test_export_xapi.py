"""xapi and cmi5 packages: tincan.xml, cmi5.xml against the cmi5 schema (and ADL's extra import rules),
stable IRIs, competencies, and the tracker's data in course.js."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from lxml import etree

from packager import export, load_course
from packager.__main__ import main
from packager.errors import ExportError
from packager.export import cmi5, xapi_core
from packager.model import Competency
from tests.conftest import ROOT, SAMPLE, write

STANDARDS = ROOT.parent / "shared" / "standards"
NS = {"c": cmi5.NS}
TC = {"t": "http://projecttincan.com/tincan.xsd"}


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("xapi")
    course = load_course(SAMPLE, use_cache=False)
    return {
        "xapi": export(course, "xapi", out / "x"),
        "cmi5": export(course, "cmi5", out / "c"),
        "cmi5-module": export(course, "cmi5", out / "m", au_per="module"),
    }


def read(package: Path, name: str) -> bytes:
    with zipfile.ZipFile(package) as z:
        return z.read(name)


def course_js(package: Path) -> dict:
    text = read(package, "course.js").decode().removeprefix("window.KS_COURSE = ").rstrip().rstrip(";")
    return json.loads(text)


@pytest.mark.parametrize("name", ["cmi5", "cmi5-module"])
def test_cmi5_xml_validates_and_keeps_adls_import_rules(packages, name):
    xml = read(packages[name], "cmi5.xml")
    assert cmi5.validate(xml) == []
    root = etree.fromstring(xml)
    ids = [el.get("id") for el in root.iter() if isinstance(el.tag, str) and el.get("id")]
    assert len(ids) == len(set(ids))  # no duplicate course, block, AU or objective ids
    assert all(i.startswith(("https://", "urn:")) for i in ids)
    objectives = {o.get("id") for o in root.findall("c:objectives/c:objective", NS)}
    refs = {o.get("idref") for o in root.iter(f"{{{cmi5.NS}}}objective") if o.get("idref")}
    assert refs and refs <= objectives
    with zipfile.ZipFile(packages[name]) as z:
        names = set(z.namelist())
    for au in root.iter(f"{{{cmi5.NS}}}au"):
        url = urlsplit(au.findtext("c:url", namespaces=NS))
        assert url.path in names
        assert not set(parse_qs(url.query)) & {"endpoint", "fetch", "actor", "registration", "activityId"}


def test_cmi5_one_au_for_the_course_with_completion_rules(packages):
    root = etree.fromstring(read(packages["cmi5"], "cmi5.xml"))
    aus = root.findall(".//c:au", NS)
    assert len(aus) == 1 and not root.findall(".//c:block", NS)
    course = load_course(SAMPLE)
    base = xapi_core.Iris.of(course).base
    assert base == course.activity_iri
    assert root.find("c:course", NS).get("id") == base
    assert aus[0].get("id") == base + "/au"
    assert aus[0].get("moveOn") == "CompletedAndPassed" and aus[0].get("masteryScore") == "0.7"
    assert root.find("c:course/c:title/c:langstring", NS).text == course.title


def test_cmi5_au_per_module_is_a_block_per_module(packages):
    root = etree.fromstring(read(packages["cmi5-module"], "cmi5.xml"))
    course = load_course(SAMPLE)
    blocks = root.findall("c:block", NS)
    assert [b.findtext("c:title/c:langstring", namespaces=NS) for b in blocks] == [m.title for m in course.modules]
    for n, block in enumerate(blocks, start=1):
        (au,) = block.findall("c:au", NS)
        assert au.findtext("c:url", namespaces=NS) == f"index.html?module={n}"
        graded = any(q.graded for lesson in course.modules[n - 1].lessons for q in lesson.quizzes)
        assert au.get("moveOn") == ("CompletedAndPassed" if graded else "Completed")
        assert (au.get("masteryScore") is not None) == graded


def test_tincan_xml_names_one_launchable_activity(packages):
    root = etree.fromstring(read(packages["xapi"], "tincan.xml"))
    (activity,) = root.findall("t:activities/t:activity", TC)
    course = load_course(SAMPLE)
    assert activity.get("id") == course.activity_iri
    assert activity.get("type") == "http://adlnet.gov/expapi/activities/course"
    assert activity.findtext("t:launch", namespaces=TC) == "index.html"
    assert activity.findtext("t:name", namespaces=TC) == course.title


def test_course_js_carries_competencies_per_lesson_and_interaction_labels(packages):
    data = course_js(packages["cmi5"])
    lms = data["lms"]
    assert lms["api"] == "cmi5" and lms["iri"] == load_course(SAMPLE).activity_iri
    course = load_course(SAMPLE)
    for lesson in course.lessons:
        tested = [lms["competencies"][i]["id"] for i in lms["lessons"][lesson.id]]
        want = lesson.competencies or course.competencies
        assert tested == [xapi_core.competency_iri(c) for c in want]
    final = lms["questions"]["final/fa-gift"]
    assert final["text"].startswith("What should Anita do?") and [c[0] for c in final["choices"]][:2] == ["o1", "o2"]
    assert "<" not in json.dumps(lms["questions"])  # labels are text, not HTML
    index = read(packages["cmi5"], "index.html").decode()
    assert "connect-src http: https:" in index and "assets/xapi.js" in index


def test_default_iris_without_activity_iri_are_stable(tmp_path):
    root = write(
        tmp_path / "c",
        {
            "course.yml": "id: tiny\nversion: 2.0.0\ntitle: Tiny\nsummary: S.\nlanguage: en\n"
            "provider: {id: dopt, name: DoPT}\ncompletion: {lessons: all}\n"
            "modules:\n  - title: One\n    lessons: [lessons/a.md]\n",
            "lessons/a.md": "---\ntitle: A\nminutes: 3\n---\nHello.\n",
        },
    )
    course = load_course(root, use_cache=False)
    iris = xapi_core.Iris.of(course)
    assert iris.base == "urn:karmayogi-studio:course:dopt:tiny"
    assert iris.au() == "urn:karmayogi-studio:course:dopt:tiny/au"
    assert iris.lesson(course.lessons[0]) == "urn:karmayogi-studio:course:dopt:tiny/lesson/lessons/a"
    xml = read(export(course, "cmi5", tmp_path / "out"), "cmi5.xml")
    au = etree.fromstring(xml).find(".//c:au", NS)
    assert au.get("moveOn") == "Completed" and au.get("masteryScore") is None  # no graded quiz, no pass mark


def test_competency_iris_do_not_depend_on_the_course():
    c = Competency("Functional", "Digital literacy", "Using the iGOT Karmayogi platform", 2)
    assert xapi_core.competency_iri(c) == (
        "urn:karmayogi-studio:competency:functional/digital-literacy/using-the-igot-karmayogi-platform"
    )
    activity = xapi_core.competency_activity(c, "hi")
    assert activity["definition"]["name"] == {"hi": "Functional / Digital literacy / Using the iGOT Karmayogi platform"}
    assert activity["definition"]["extensions"][xapi_core.COMPETENCY_EXT] == {
        "area": "Functional",
        "theme": "Digital literacy",
        "subtheme": "Using the iGOT Karmayogi platform",
        "level": 2,
    }


def test_a_relative_activity_iri_is_refused(tmp_path):
    course = load_course(SAMPLE, use_cache=False)
    course.activity_iri = "courses/prarambh"
    with pytest.raises(ExportError, match="not an absolute IRI"):
        export(course, "cmi5", tmp_path)
    assert not list(tmp_path.glob("*.zip"))


def test_an_invalid_course_structure_is_caught():
    bad = f'<courseStructure xmlns="{cmi5.NS}"><course id="urn:x"><title/></course></courseStructure>'.encode()
    errors = cmi5.validate(bad)
    assert errors and errors[0].startswith("line 1:")


def test_shipped_cmi5_schema_is_the_official_one():
    if not STANDARDS.is_dir():
        pytest.skip("the reference copies in ../shared/standards are not on this machine")
    official = STANDARDS / "cmi5" / "v1" / "CourseStructure.xsd"
    assert hashlib.sha256(cmi5.SCHEMA.read_bytes()).digest() == hashlib.sha256(official.read_bytes()).digest()


def test_cli_builds_cmi5_per_module_and_refuses_au_per_for_other_formats(tmp_path, capsys):
    assert main(["build", str(SAMPLE), "-f", "cmi5", "--au-per", "module", "-o", str(tmp_path)]) == 0
    (package,) = tmp_path.glob("*-cmi5.zip")
    assert len(etree.fromstring(read(package, "cmi5.xml")).findall(".//c:au", NS)) == len(load_course(SAMPLE).modules)
    assert main(["build", str(SAMPLE), "-f", "xapi", "--au-per", "module", "-o", str(tmp_path)]) == 2
    assert "--au-per is for --format cmi5" in capsys.readouterr().err


def test_a_question_names_its_own_competencies(make_course):
    """competency= on a question's heading: the tracker's data gives that question those competencies
    (else the lesson's, else the course's), and a name course.yml does not list is an error at its line."""
    from packager import check_course
    from packager.export.xapi_core import tracker_config

    yml = (
        "competencies:\n"
        "  - {area: Behavioural, theme: Integrity, subtheme: Ethical decision-making}\n"
        "  - {area: Domain, theme: Public administration}\n"
    )
    lesson = (
        "---\ntitle: A\n---\nText.\n\n::: check id=c\n### Q? {id=q1 competency=public-administration}\n"
        "- [x] a\n- [ ] b\n\n### R? {id=q2 competency=nowhere}\n- [x] a\n- [ ] b\n\n"
        "### S? {id=q3}\n- [x] a\n- [ ] b\n:::\n"
    )
    root = make_course({"lessons/a.md": lesson})
    (root / "course.yml").write_text((root / "course.yml").read_text("utf-8") + yml, "utf-8")
    course = load_course(root)
    problems = [p.format() for p in check_course(course)]
    assert any(
        p.startswith("lessons/a.md:11: error: competency=nowhere is not a theme or subtheme of course.yml's")
        for p in problems
    ), problems
    cfg = tracker_config(course, "en", "cmi5")
    names = [c["definition"]["name"]["en"] for c in cfg["competencies"]]
    assert [names[i] for i in cfg["questions"]["c/q1"]["competencies"]] == ["Domain / Public administration"]
    assert "competencies" not in cfg["questions"]["c/q3"]  # the lesson's (here the course's) apply
    assert len(cfg["lessons"]["lessons/a"]) == 2


def test_cmi5_objectives_include_what_questions_name(make_course):
    """A lesson testing Integrity whose question names Public administration: the AU declares both, so
    every competency a statement names is an objective of cmi5.xml."""
    from packager.export.cmi5 import _tested

    yml = "competencies:\n  - {area: Behavioural, theme: Integrity}\n  - {area: Domain, theme: Public administration}\n"
    lesson = (
        "---\ntitle: A\ncompetencies:\n  - {area: Behavioural, theme: Integrity}\n---\nText.\n\n"
        "::: check id=c\n### Q? {id=q1 competency=public-administration}\n- [x] a\n- [ ] b\n:::\n"
    )
    root = make_course({"lessons/a.md": lesson})
    (root / "course.yml").write_text((root / "course.yml").read_text("utf-8") + yml, "utf-8")
    course = load_course(root)
    assert [c.theme for c in _tested(course, course.lessons)] == ["Integrity", "Public administration"]
