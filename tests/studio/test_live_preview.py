"""The editor's live preview renders a lesson as the course's own package does."""

from __future__ import annotations

import zipfile

from packager import export, load_course
from studio.authoring.live import render_lesson
from tests.conftest import write
from tests.test_build_pipeline import HINDI_COURSE, TABLE


def test_live_preview_of_a_hindi_course_labels_tables_like_its_package(tmp_path):
    lesson = f"---\ntitle: पहला\n---\n{TABLE}"
    root = write(
        tmp_path / "c", {"course.yml": HINDI_COURSE, "lessons/a.md": lesson, "lessons/b.md": "---\ntitle: b\n---\nx\n"}
    )
    html, _ = render_lesson(root, "lessons/a.md", lesson)
    package = export(load_course(root), "html", tmp_path / "out", fonts=False)
    with zipfile.ZipFile(package) as z:
        script = z.read(next(n for n in z.namelist() if n.startswith("lessons/") and n.endswith(".js"))).decode()
    assert "तालिका" in script
    assert "तालिका" in html and ">Table<" not in html
