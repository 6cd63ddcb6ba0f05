"""The kstudio command: exit codes, FILE:LINE output, never a traceback."""

from __future__ import annotations

import subprocess
import sys
import zipfile

from packager.__main__ import main
from studio.cli import main as studio_main


def test_check_clean_course_exits_0(make_course, capsys):
    assert main(["check", str(make_course())]) == 0
    assert "0 errors, 0 warnings" in capsys.readouterr().err


def test_check_reports_file_line_and_exits_1(make_course, capsys):
    root = make_course({"lessons/a.md": "---\ntitle: A\n---\n![](media/x.png)\n"})
    assert main(["check", str(root)]) == 1
    out = capsys.readouterr()
    assert f"{root.as_posix()}/lessons/a.md:4: error: image 'media/x.png' has no alt text" in out.out
    assert f"{root.as_posix()}/lessons/a.md:4: error: missing image file 'media/x.png'" in out.out
    assert "2 errors, 0 warnings" in out.err


def test_check_missing_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope")]) == 1
    assert "no course.yml" in capsys.readouterr().out


def test_new_makes_a_course_that_checks_and_builds(tmp_path, capsys):
    folder = tmp_path / "my-first-course"
    assert main(["new", str(folder)]) == 0
    assert main(["check", str(folder)]) == 0
    assert main(["build", str(folder), "--format", "html", "-o", str(tmp_path / "out")]) == 0
    package = tmp_path / "out" / "my-first-course-0.1.0-en-html.zip"
    assert package.is_file()
    assert main(["new", str(folder)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_build_refuses_a_course_with_errors(make_course, tmp_path, capsys):
    root = make_course({"lessons/a.md": "---\ntitle: A\n---\n::: quiz\n### Q?\n- [ ] a\n- [ ] b\n:::\n"})
    assert main(["build", str(root), "--format", "html", "-o", str(tmp_path / "out")]) == 1
    assert "has no correct answer" in capsys.readouterr().out
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_unknown_format_is_a_usage_error(make_course, capsys):
    try:
        main(["build", str(make_course()), "--format", "flash"])
    except SystemExit as exc:
        assert exc.code == 2
    assert "invalid choice: 'flash'" in capsys.readouterr().err


def test_console_script_runs_without_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "studio.cli", "check", str(tmp_path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout


def test_studio_cli_has_serve(capsys):
    try:
        studio_main(["serve", "--help"])
    except SystemExit as exc:
        assert exc.code == 0
    assert "--data" in capsys.readouterr().out


def test_build_output_names_and_contents(make_course, tmp_path):
    assert main(["build", str(make_course()), "-f", "html", "-o", str(tmp_path / "o")]) == 0
    names = zipfile.ZipFile(tmp_path / "o" / "test-course-1.0.0-en-html.zip").namelist()
    assert names[:4] == ["index.html", "course.js", "assets/player.css", "assets/player.js"]
    assert "lessons/lessons-a.js" in names


def test_build_names_the_files_it_wrote_beside_the_package(make_course, tmp_path, capsys):
    quiz = "::: quiz\n\n### Which?\n- [x] This\n- [ ] That\n:::\n"
    root = make_course({"lessons/a.md": "---\ntitle: Lesson A\nminutes: 5\n---\nHello.\n\n" + quiz})
    assert main(["build", str(root), "-f", "igot", "-o", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "and beside it: test-course-1.0.0-en-igot-assessments.zip, test-course-1.0.0-en-igot-metadata.json" in out


def test_build_lang_own_and_all(make_course, tmp_path, capsys):
    root = make_course()
    assert main(["build", str(root), "-f", "html", "--lang", "en", "-o", str(tmp_path / "o")]) == 0
    assert main(["build", str(root), "-f", "html", "--lang", "all", "-o", str(tmp_path / "o")]) == 0
    assert "built 1 package" in capsys.readouterr().out


def test_build_unknown_lang_is_a_clear_error(make_course, tmp_path, capsys):
    assert main(["build", str(make_course()), "-f", "html", "--lang", "ta", "-o", str(tmp_path / "o")]) == 2
    assert "no 'ta' version of course 'test-course'; it is available in: en" in capsys.readouterr().err


def test_build_warns_over_the_budget_only(make_course, tmp_path, capsys):
    root = make_course()
    assert main(["build", str(root), "-f", "html", "-o", str(tmp_path), "--budget", "0.001"]) == 0
    assert "over the 0.001 MB budget" in capsys.readouterr().err
    assert main(["build", str(root), "-f", "html", "-o", str(tmp_path)]) == 0
    assert "budget" not in capsys.readouterr().err
