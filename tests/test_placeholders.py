"""The starter's placeholders are warnings in check until replaced (issue 15): the starter shows them at
their lines, the sample course has none, and the details form's values clear them."""

from __future__ import annotations

from pathlib import Path

from packager import check_course, load_course, metadata
from packager.scaffold import new_course

SAMPLE = Path(__file__).resolve().parent.parent / "sample_courses" / "karmayogi-prarambh"


def placeholders(root: Path) -> list[str]:
    return [p.format() for p in check_course(load_course(root)) if "starter's placeholder" in p.message]


def test_the_starter_warns_of_each_placeholder_at_its_line(tmp_path):
    new_course(tmp_path / "c", title="Grievance basics")
    assert placeholders(tmp_path / "c") == [
        "course.yml:7: warning: provider id is the starter's placeholder 'my-institute': "
        "put your institute's short name",
        "course.yml:7: warning: provider name is the starter's placeholder 'My Training Institute': "
        "put your institute's name",
        "course.yml:8: warning: authors: 'Your Name' is the starter's placeholder: put the authors' names",
        "course.yml:14: warning: keywords: 'starter' is the starter's placeholder: put words learners search for",
    ]
    assert not [p for p in check_course(load_course(tmp_path / "c")) if p.severity == "error"]


def test_replaced_placeholders_are_quiet_and_the_sample_has_none(tmp_path):
    root = new_course(tmp_path / "c", title="Grievance basics")
    yml = root / "course.yml"
    form = {"provider_id": "istm", "provider_name": "ISTM", "authors": "A. Author", "keywords": "grievance"}
    yml.write_text(metadata.update(yml.read_text("utf-8"), form), "utf-8")
    assert placeholders(root) == []
    assert placeholders(SAMPLE) == []
