"""What a build after a one-lesson edit does not do: import what only unusual input or a cold cache
needs (pydantic for course.yml and front matter the schema must read, Babel for locale data), or
compress the lessons it takes from the cache again."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

from packager.export.core import ZipPackage
from packager.render import PackageFile, deflate
from tests.conftest import COURSE_YML

HEAVY = ("pydantic", "babel", "packager.schema")


def _build_in_a_fresh_process(root: Path, out: Path) -> list[str]:
    """Run ``kstudio build`` in a new interpreter; the HEAVY modules it imported."""
    script = (
        "import json, sys\n"
        "from packager.__main__ import main\n"
        f"code = main(['build', {str(root)!r}, '-f', 'html', '-o', {str(out)!r}])\n"
        f"print(json.dumps([code, [m for m in {HEAVY!r} if m in sys.modules]]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=os.environ)
    code, imported = json.loads(done.stdout.splitlines()[-1])
    assert code == 0, done.stderr
    return list(imported)


def test_a_build_after_a_one_lesson_edit_imports_no_schema_or_babel(make_course, tmp_path):
    root = make_course({"lessons/a.md": "---\ntitle: A\nminutes: 3\nobjectives: [Read]\n---\nText.\n"})
    assert "pydantic" not in _build_in_a_fresh_process(root, tmp_path / "one")  # even cold: usual course.yml
    (root / "lessons/a.md").write_text("---\ntitle: A\nminutes: 3\nobjectives: [Read]\n---\nText, edited.\n")
    assert _build_in_a_fresh_process(root, tmp_path / "two") == []
    with zipfile.ZipFile(next((tmp_path / "two").glob("*.zip"))) as z:
        assert "Text, edited." in z.read("lessons/lessons-a.js").decode()


def test_deflated_entries_are_written_as_zipfile_writes_them(tmp_path):
    texts = [b"", b"KS.lesson('a', '<p>x</p>');\n", ("\u0928\u092e\u0938\u094d\u0924\u0947 " * 5000).encode()]
    for n, data in enumerate(texts):
        with ZipPackage(tmp_path / f"plain{n}.zip") as package:
            package.add(PackageFile("index.html", b"<p>shell</p>"))
            package.add(PackageFile("lessons/a.js", data))
        with ZipPackage(tmp_path / f"deflated{n}.zip") as package:
            package.add(PackageFile("index.html", b"<p>shell</p>", deflated=deflate(b"<p>shell</p>")))
            package.add(PackageFile("lessons/a.js", data, deflated=deflate(data)))
        assert (tmp_path / f"deflated{n}.zip").read_bytes() == (tmp_path / f"plain{n}.zip").read_bytes()
        with zipfile.ZipFile(tmp_path / f"deflated{n}.zip") as z:
            assert z.testzip() is None and z.read("lessons/a.js") == data


def test_cache_entries_come_back_from_a_new_open_and_a_broken_one_is_a_miss(tmp_path):
    from packager.cache import LessonCache

    store = LessonCache.of_kind("rendered-en", tmp_path, "page")
    store.put("a", (b"script", b"deflated"))
    store.put("b", {"lesson": [1, 2]})
    store.save()
    again = LessonCache.of_kind("rendered-en", tmp_path, "page")
    assert again.get("a") == (b"script", b"deflated") and again.get("b") == {"lesson": [1, 2]}
    assert LessonCache.of_kind("rendered-en", tmp_path, "another page").get("a") is None
    again.entries["a"] = b"not a pickle"
    assert again.get("a") is None and again.get("zz") is None


def test_a_cached_page_follows_what_its_lesson_was_parsed_from_not_only_its_text(make_course, tmp_path):
    """Rendered pages are keyed by the parse's own key (text, other lessons' ids, the course's files):
    an unchanged lesson whose link target got a new id is rendered again, with the new link."""
    from packager import export, load_course

    root = make_course(
        {
            "lessons/a.md": "---\ntitle: A\nminutes: 3\nobjectives: [Read]\n---\nSee [the next lesson](b.md).\n",
            "lessons/b.md": "---\ntitle: B\nminutes: 3\nobjectives: [Read]\n---\nText.\n",
            "course.yml": COURSE_YML.replace("[lessons/a.md]", "[lessons/a.md, lessons/b.md]"),
        }
    )

    def page_a(out: Path) -> str:
        with zipfile.ZipFile(export(load_course(root), "html", out)) as z:
            return z.read("lessons/lessons-a.js").decode()

    assert "#/lessons/b" in page_a(tmp_path / "one")
    (root / "lessons/b.md").write_text("---\ntitle: B\nid: bee\nminutes: 3\nobjectives: [Read]\n---\nText.\n")
    again = page_a(tmp_path / "two")
    assert "#/bee" in again and "#/lessons/b" not in again
    lesson = load_course(root).lessons[0]
    assert lesson.source_key and lesson.source_key != load_course(root).lessons[1].source_key
