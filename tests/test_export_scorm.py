"""SCORM 1.2, SCORM 2004 and igot packages: manifests against the official schemas, stable identifiers,
the iGOT portal's rules, and clear errors for what a package cannot carry."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from packager import export, load_course
from packager.errors import ExportError
from packager.export import igot, scorm, xsd
from tests.conftest import ROOT, SAMPLE, write

STANDARDS = ROOT.parent / "shared" / "standards"
FORMATS = ("scorm12", "scorm2004", "igot")
NS12 = {"cp": "http://www.imsproject.org/xsd/imscp_rootv1p1p2", "md": "http://www.imsglobal.org/xsd/imsmd_rootv1p2p1"}
NS2004 = {"cp": "http://www.imsglobal.org/xsd/imscp_v1p1", "lom": "http://ltsc.ieee.org/xsd/LOM"}
KINDS = [  # (heading options, answer block) of each question kind
    ("", "- [ ] wrong\n- [x] right\n- [ ] also wrong"),
    ("", "- [x] right\n- [x] also right\n- [ ] wrong"),
    ("", "= answer"),
    (" {order}", "1. first\n2. second\n3. third"),
    (" {match}", "- one -> uno\n- two -> dos"),
]


def big_course(root: Path, *, questions: int, reflections: int) -> Path:
    """A course of 10 lessons sharing *questions* graded questions of every kind and *reflections*."""
    lessons = 10
    files: dict[str, str] = {}
    for n in range(lessons):
        parts = [f"---\ntitle: Lesson {n + 1}\nminutes: 5\n---\nText of lesson {n + 1}.\n"]
        parts += ["::: reflection\nWhat will you do?\n:::\n"] * (reflections // lessons)
        mine = questions // lessons
        quiz = [f"::: quiz id=quiz-{n + 1}\n"]
        for q in range(mine):
            options, answers = KINDS[q % len(KINDS)]
            quiz.append(f"### Question {q + 1} of lesson {n + 1}?{options}\n\n{answers}\n")
        parts.append("\n".join(quiz) + ":::\n")
        files[f"lessons/l{n + 1:02}.md"] = "\n".join(parts)
    listed = ", ".join(f"lessons/l{n + 1:02}.md" for n in range(lessons))
    files["course.yml"] = (
        "id: big-course\nversion: 1.0.0\ntitle: Big course\nsummary: Many questions.\nlanguage: en\n"
        f"provider: {{id: test, name: Test}}\ncompletion: {{lessons: all, pass_score: 70}}\n"
        f"modules:\n  - title: All\n    lessons: [{listed}]\n"
    )
    return write(root, files)


@pytest.fixture(scope="module")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("scorm")
    course = load_course(SAMPLE, use_cache=False)
    return {fmt: export(course, fmt, out) for fmt in FORMATS}


def manifest_of(package: Path) -> bytes:
    with zipfile.ZipFile(package) as z:
        return z.read("imsmanifest.xml")


@pytest.mark.parametrize("fmt", FORMATS)
def test_manifest_validates_against_the_official_schemas(packages, fmt):
    kind = "scorm2004" if fmt == "scorm2004" else "scorm12"
    assert xsd.validate(manifest_of(packages[fmt]), kind) == []


def test_shipped_schemas_are_the_official_ones():
    if not STANDARDS.is_dir():
        pytest.skip("the reference copies in ../shared/standards are not on this machine")
    pairs = [("scorm12", "scorm12"), ("scorm2004", "scorm2004-4th")]
    for ours, theirs in pairs:
        for path in (xsd.SCHEMAS / ours).rglob("*.xsd"):
            official = STANDARDS / theirs / path.relative_to(xsd.SCHEMAS / ours)
            assert hashlib.sha256(path.read_bytes()).digest() == hashlib.sha256(official.read_bytes()).digest()


def test_an_invalid_manifest_is_caught():
    bad = b'<manifest xmlns="http://www.imsglobal.org/xsd/imscp_v1p1" identifier="a"><resources/></manifest>'
    errors = xsd.validate(bad, "scorm2004")
    assert errors and "organizations" in errors[0]


def test_scorm2004_carries_its_schemas_and_maps_every_namespace(packages):
    with zipfile.ZipFile(packages["scorm2004"]) as z:
        names = set(z.namelist())
        root = etree.fromstring(z.read("imsmanifest.xml"))
    location = root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation").split()
    mapped = dict(zip(location[::2], location[1::2], strict=True))
    used = {el.tag.split("}")[0][1:] for el in root.iter() if isinstance(el.tag, str)}
    used |= {attr.split("}")[0][1:] for el in root.iter() for attr in el.attrib if attr.startswith("{")}
    used.discard("http://www.w3.org/2001/XMLSchema-instance")
    assert used <= set(mapped), used - set(mapped)
    assert set(mapped.values()) <= names
    for name in ("imsss_v1p0control.xsd", "common/elementTypes.xsd", "vocab/strict.xsd", "xml.xsd"):
        assert name in names


def test_metadata_carries_title_description_language_keywords_and_time(packages):
    course = load_course(SAMPLE)
    root = etree.fromstring(manifest_of(packages["scorm2004"]))
    lom = root.find("cp:metadata/lom:lom", NS2004)
    assert lom.findtext("lom:general/lom:title/lom:string", namespaces=NS2004) == course.title
    assert lom.findtext("lom:general/lom:description/lom:string", namespaces=NS2004) == course.summary
    assert lom.findtext("lom:general/lom:language", namespaces=NS2004) == "en"
    keywords = [k.text for k in lom.findall("lom:general/lom:keyword/lom:string", NS2004)]
    assert keywords == course.keywords
    assert lom.findtext("lom:educational/lom:typicalLearningTime/lom:duration", namespaces=NS2004) == "PT1H"
    root12 = etree.fromstring(manifest_of(packages["scorm12"]))
    md = root12.find("cp:metadata/md:lom", NS12)
    assert md.findtext("md:general/md:title/md:langstring", namespaces=NS12) == course.title
    assert md.findtext("md:educational/md:typicallearningtime/md:datetime", namespaces=NS12) == "PT1H"


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_sco_lists_every_file_and_launches_index(packages, fmt):
    with zipfile.ZipFile(packages[fmt]) as z:
        names = set(z.namelist())
        root = etree.fromstring(z.read("imsmanifest.xml"))
    ns = {"cp": root.tag.split("}")[0][1:]}
    resources = root.findall("cp:resources/cp:resource", ns)
    assert len(resources) == 1 and resources[0].get("href") == "index.html"
    files = {f.get("href") for f in resources[0].findall("cp:file", ns)}
    assert "index.html" in files and "assets/scorm.js" in files
    assert files <= names
    assert {n for n in names if n.startswith(("lessons/", "media/"))} <= files


def test_identifiers_depend_on_the_course_id_only(tmp_path):
    course = load_course(SAMPLE)
    first = manifest_of(export(course, "scorm2004", tmp_path / "a"))
    course.version, course.title = "1.1.0", "A new title"
    second = manifest_of(export(course, "scorm2004", tmp_path / "b"))
    ids = []
    for xml in (first, second):
        root = etree.fromstring(xml)
        ids.append(sorted(el.get("identifier") for el in root.iter() if el.get("identifier")))
    assert (
        ids[0]
        == ids[1]
        == [
            "ks-karmayogi-prarambh",
            "ks-karmayogi-prarambh-item",
            "ks-karmayogi-prarambh-org",
            "ks-karmayogi-prarambh-sco",
        ]
    )


def test_packages_are_reproducible(tmp_path):
    one = export(load_course(SAMPLE), "scorm12", tmp_path / "one").read_bytes()
    two = export(load_course(SAMPLE, use_cache=False), "scorm12", tmp_path / "two").read_bytes()
    assert one == two


# ---- igot -------------------------------------------------------------------------------------------


def test_igot_entry_names_and_metadata(packages):
    package = packages["igot"]
    with zipfile.ZipFile(package) as z:
        names = z.namelist()
    assert "index.html" in names
    assert all(igot.SAFE_NAME.match(name) for name in names)
    meta = json.loads(package.with_name(package.stem + "-metadata.json").read_text("utf-8"))
    assert meta["name"].startswith("Karmayogi Prarambh")
    assert meta["language"] == ["English"]
    assert meta["duration"] == "3600"
    assert meta["license"] == "CC BY 4.0"
    assert meta["primaryCategory"] == "Course"
    assert meta["source"] == "Karmayogi Studio Open Courses"
    assert {
        "competencyArea": "Behavioural",
        "competencyTheme": "Integrity",
        "competencySubTheme": "Ethical decision-making",
    } in meta["competencies_v5"]
    assert (package.parent / meta["appIcon"]).is_file()


def test_igot_renames_media_and_rewrites_references(make_course, tmp_path):
    png = (SAMPLE / "media" / "cover.png").read_bytes()
    root = make_course(
        {
            "lessons/a.md": "---\ntitle: A\nminutes: 5\n---\n![A chart](<../media/Chart 2024 (final).png>)\n",
            "media/Chart 2024 (final).png": png,
        }
    )
    package = export(load_course(root), "igot", tmp_path / "out")
    with zipfile.ZipFile(package) as z:
        names = z.namelist()
        lesson = z.read("lessons/lessons-a.js").decode()
    assert "media/Chart_2024_final_.png" in names
    assert 'src=\\"media/Chart_2024_final_.png\\"' in lesson


def test_igot_refuses_media_names_that_collide(make_course, tmp_path):
    png = (SAMPLE / "media" / "cover.png").read_bytes()
    root = make_course(
        {
            "lessons/a.md": "---\ntitle: A\nminutes: 5\n---\n![One](<../media/a b.png>)\n\n![Two](../media/a_b.png)\n",
            "media/a b.png": png,
            "media/a_b.png": png,
        }
    )
    with pytest.raises(ExportError, match=re.escape("'media/a b.png' and 'media/a_b.png' both become 'media/a_b.png'")):
        export(load_course(root), "igot", tmp_path / "out")
    assert not list((tmp_path / "out").glob("*.zip"))


def test_igot_refuses_a_package_over_200_mb(make_course, tmp_path):
    root = make_course({"lessons/a.md": "---\ntitle: A\nminutes: 5\n---\n[Guide](../media/guide.pdf)\n"})
    (root / "media").mkdir()
    with open(root / "media" / "guide.pdf", "wb") as f:
        f.truncate(201 * 2**20)  # sparse: no disk or time spent
    with pytest.raises(ExportError, match="more than an iGOT upload can hold"):
        export(load_course(root), "igot", tmp_path / "out")


def test_unrepresentable_learning_time_is_a_clear_error(make_course, tmp_path):
    course = load_course(make_course())
    course.lessons[0].minutes = 10_000 * 60.0
    for fmt in FORMATS:
        with pytest.raises(ExportError, match="more than SCORM can represent"):
            export(course, fmt, tmp_path / fmt)


def test_cli_builds_each_scorm_format(make_course, tmp_path, capsys):
    from packager.__main__ import main

    root = make_course()
    for fmt in FORMATS:
        assert main(["build", str(root), "-f", fmt, "--lang", "en", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "test-course-1.0.0-en-scorm2004.zip" in out and "test-course-1.0.0-en-igot.zip" in out


def test_helpers():
    assert scorm.iso_duration(3725) == "PT1H2M5S"
    assert igot.language_name("ta") == "Tamil"
