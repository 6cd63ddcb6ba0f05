"""The catalogue's library side: frozen snapshots, the review gate, diffs and the iGOT partner sheet."""

from __future__ import annotations

import csv
import io
import os
import shutil

import pytest

from packager import export, load_course
from packager.marketplace import (
    Built,
    Listing,
    SnapshotError,
    diff,
    freeze,
    gate,
    igot_metadata,
    open_snapshot,
    partner_sheet,
)
from tests.conftest import SAMPLE


@pytest.fixture
def sample(tmp_path):
    """A private copy of the sample course (tests edit it)."""
    return shutil.copytree(SAMPLE, tmp_path / "course")


def test_snapshot_is_checksummed_and_immutable(sample, tmp_path):
    store = tmp_path / "store"
    course = load_course(sample)
    package = export(course, "html", tmp_path / "out")
    snap = freeze(course, store, [(package, "html", "en")], meta={"by": "partner@example.org"})
    assert snap.verify() == []
    assert {e.path for e in snap.source} >= {"course.yml", "media/welcome.mp4"}
    assert [(p.format, p.lang) for p in snap.packages] == [("html", "en")]
    lesson = "lessons/01-getting-started/01-welcome.md"
    stored = snap.source_file(lesson)
    assert stored.stat().st_mode & 0o222 == 0  # read-only

    # Editing the course afterwards does not touch the snapshot.
    (sample / lesson).write_text("changed\n", "utf-8")
    again = open_snapshot(snap.folder)
    assert again == snap and again.verify() == []
    assert again.source_file(lesson).read_text("utf-8") != "changed\n"

    # The same content frozen twice is the same snapshot; tampering on disk is found.
    (sample / lesson).write_bytes(stored.read_bytes())
    same = freeze(load_course(sample), store, [(package, "html", "en")], meta=snap.meta, now=_created(snap))
    assert same == snap
    os.chmod(stored, 0o644)
    stored.write_text("tampered\n", "utf-8")
    problems = snap.verify()
    assert len(problems) == 1 and problems[0].startswith(f"{lesson}: stored copy has changed")


def _created(snap):
    from datetime import datetime

    return datetime.fromisoformat(snap.created.replace("Z", "+00:00"))


def test_snapshot_refuses_links_and_reads_back_clear_errors(sample, tmp_path):
    (sample / "media" / "link.png").symlink_to("/etc/passwd")
    with pytest.raises(SnapshotError, match=r"media/link\.png: is a symbolic link"):
        freeze(load_course(sample), tmp_path / "store")
    with pytest.raises(SnapshotError, match="cannot be read"):
        open_snapshot(tmp_path / "nowhere")


def test_diff_between_versions(sample, tmp_path):
    store = tmp_path / "store"
    first = freeze(load_course(sample), store)
    lesson = sample / "lessons/01-getting-started/01-welcome.md"
    lesson.write_text(lesson.read_text("utf-8").replace("Welcome", "Namaste", 1), "utf-8")
    (sample / "media" / "extra.txt").write_text("new\n", "utf-8")
    second = freeze(load_course(sample), store)
    changes = {c.path: c for c in diff(first, second)}
    assert set(changes) == {"lessons/01-getting-started/01-welcome.md", "media/extra.txt"}
    assert changes["media/extra.txt"].status == "added"
    text = changes["lessons/01-getting-started/01-welcome.md"].diff
    assert "-" in text and "+" in text and "Namaste" in text
    assert all(c.status == "added" for c in diff(None, first))


def test_gate_passes_the_sample_and_names_what_is_missing(sample, tmp_path):
    course = load_course(sample)
    packages = [Built(export(course, fmt, tmp_path / "out"), fmt, "en") for fmt in ("html", "scorm2004", "pdf")]
    report = gate(course, packages)
    assert report.ok, report.lines()
    assert [r.rule for r in report.results] == ["check", "metadata", "packages", "size", "quality"]

    yml = (sample / "course.yml").read_text("utf-8")
    yml = "\n".join(line for line in yml.splitlines() if not line.startswith(("audience:", "license:")))
    (sample / "course.yml").write_text(yml + "\n", "utf-8")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    report = gate(load_course(sample), [Built(broken, "scorm12", "en")], budget_mb=0.0001)
    failed = {r.rule: r for r in report.failed}
    # without course.yml's licence, media/credits.yml's "course" covers nothing: the quality rule says so
    assert set(failed) == {"metadata", "packages", "quality"}
    assert any("'course' needs a license in course.yml" in d for d in failed["quality"].details)
    assert any(d.startswith("license:") for d in failed["metadata"].details)
    assert any(d.startswith("audience:") for d in failed["metadata"].details)
    assert failed["packages"].details[0].startswith("broken.zip: cannot be opened")
    assert "FAIL  metadata" in "\n".join(report.lines())


def test_gate_reports_check_errors_with_file_and_line(sample):
    lesson = sample / "lessons/01-getting-started/01-welcome.md"
    lesson.write_text(lesson.read_text("utf-8") + "\n::: quiz\n### Q?\n- [ ] a\n- [ ] b\n:::\n", "utf-8")
    report = gate(load_course(sample))
    check = report.results[0]
    assert not check.ok and "has no correct answer" in check.details[0]
    assert check.details[0].startswith("lessons/01-getting-started/01-welcome.md:")


def test_partner_sheet_and_igot_metadata(sample):
    course = load_course(sample)
    yml = (sample / "course.yml").read_text("utf-8")
    title = next(line for line in yml.splitlines() if line.startswith("title:"))
    (sample / "course.yml").write_text(yml.replace(title, "title: \"=cmd|' /C calc'!A0\""), "utf-8")
    hostile = load_course(sample)
    text = partner_sheet(
        [Listing(course, "https://studio.example/c/1", "https://studio.example/c/1/icon.png"), Listing(hostile, "u")]
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "name",
        "description",
        "duration",
        "redirectUrl",
        "appIcon",
        "externalId",
        "objectives",
        "source",
        "status",
    ]
    assert rows[0]["name"] == course.title and rows[0]["status"] == "Live"
    assert rows[0]["externalId"] == f"{course.provider.id}:{course.id}" and int(rows[0]["duration"]) > 0
    assert rows[0]["objectives"].count(";") >= 5
    assert rows[1]["name"].startswith("'=")  # a formula from a partner stays text in a spreadsheet
    meta = igot_metadata(course, "en", "icon.png")
    assert meta["name"] == course.title and meta["competencies_v5"][0]["competencyArea"]


def test_gate_validates_xapi_and_cmi5_packages(sample, tmp_path):
    import zipfile

    course = load_course(sample)
    built = [Built(export(course, fmt, tmp_path / fmt, lang="en"), fmt, "en") for fmt in ("xapi", "cmi5")]
    report = gate(course, built, langs=["en"])
    assert report.ok, report.lines()

    # A cmi5.xml that breaks the cmi5 XSD, and a tincan.xml launching a file the zip does not hold.
    bad = []
    for b, name, text in (
        (
            built[1],
            "cmi5.xml",
            b'<courseStructure xmlns="https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"/>',
        ),
        (built[0], "tincan.xml", None),
    ):
        with zipfile.ZipFile(b.path) as z:
            members = {n: z.read(n) for n in z.namelist()}
        if text is None:
            members[name] = members[name].replace(b">index.html<", b">missing.html<")
        else:
            members[name] = text
        out = tmp_path / f"bad-{b.format}.zip"
        with zipfile.ZipFile(out, "w") as z:
            for n, data in members.items():
                z.writestr(n, data)
        bad.append(Built(out, b.format, "en"))
    failed = gate(course, bad, langs=["en"]).failed
    details = "\n".join(failed[0].details)
    assert failed[0].rule == "packages"
    assert "bad-cmi5.zip: cmi5.xml: line" in details
    assert "bad-xapi.zip: tincan.xml: activity" in details and "'missing.html'" in details


def test_gate_checks_every_chosen_language(sample):
    course = load_course(sample)
    assert gate(course, langs=["en"]).results[0].ok
    report = gate(course, langs=["en", "hi", "xx"])
    check = report.results[0]
    assert not check.ok and "xx: the course has no 'xx' version" in check.details
    assert "(en, hi, xx)" in check.message and len(check.details) == 1  # en and hi load and check cleanly
