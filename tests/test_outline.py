"""The course outline's operations (packager/outline.py): each change, written to the folder, loads and
checks with no new problem; a renamed lesson keeps its id, its links and its translation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from packager import check_course, load_course, outline
from packager.i18n import course as i18n
from packager.scaffold import new_course
from tests.conftest import SAMPLE, write

LINKED = {
    "lessons/03-rules.md": "---\ntitle: Rules\n---\nSee [the welcome](01-welcome.md#start), "
    "[again](<../lessons/01-welcome.md>) and [ref][w].\n\n[w]: lessons/01-welcome.md\n\n"
    "```\n[not a link](01-welcome.md)\n```\n",
}


NO_QUIZ = "completion.pass_score is set but the course has no graded"  # the starter's quiz lesson deleted: rightly said


def problems(root: Path) -> list[str]:
    found = check_course(load_course(root, use_cache=False))
    return sorted(p.format() for p in found if NO_QUIZ not in p.message and "starter's placeholder" not in p.message)


@pytest.fixture
def starter(tmp_path: Path) -> Path:
    """The starter course with a third lesson linking to the first in each form a link takes."""
    root = new_course(tmp_path / "course", title="Outline")
    write(root, LINKED)
    yml = root / "course.yml"
    yml.write_text(yml.read_text("utf-8").replace("02-check-your-learning.md]", "02-check-your-learning.md,\n"
                   "      lessons/03-rules.md]  # the third"), "utf-8")  # fmt: skip
    assert problems(root) == []
    return root


def apply(root: Path, change: outline.Change) -> outline.Change:
    change.apply(root)
    return change


def test_renaming_a_lesson_renames_its_file_keeps_its_id_and_every_link_follows(starter: Path) -> None:
    change = apply(starter, outline.rename_lesson(outline.Folder.of(starter), "lessons/01-welcome.md", "Hello: all"))
    assert change.renamed == {"lessons/01-welcome.md": "lessons/hello-all.md"}
    assert not (starter / "lessons/01-welcome.md").exists()
    text = (starter / "lessons/hello-all.md").read_text("utf-8")
    assert text.startswith('---\ntitle: "Hello: all"\nid: lessons/01-welcome\nminutes: 3\n')
    rules = (starter / "lessons/03-rules.md").read_text("utf-8")
    assert "[the welcome](hello-all.md#start)" in rules
    assert "[again](<../lessons/hello-all.md>)" in rules
    assert "[w]: lessons/hello-all.md" in rules
    assert "[not a link](01-welcome.md)" in rules  # code is left as written
    assert "# the third" in (starter / "course.yml").read_text("utf-8")  # comments stay
    course = load_course(starter, use_cache=False)
    first = course.modules[0].lessons[0]
    assert (first.path, first.id, first.title) == ("lessons/hello-all.md", "lessons/01-welcome", "Hello: all")
    assert problems(starter) == []


def test_a_second_rename_keeps_the_first_id_and_a_free_name_is_chosen(starter: Path) -> None:
    apply(starter, outline.rename_lesson(outline.Folder.of(starter), "lessons/01-welcome.md", "Rules"))
    assert (starter / "lessons/rules.md").exists()  # 'rules.md' was free: 03-rules.md is another name
    change = outline.rename_lesson(outline.Folder.of(starter), "lessons/rules.md", "Check your learning")
    apply(starter, change)
    assert change.renamed == {"lessons/rules.md": "lessons/check-your-learning.md"}
    assert load_course(starter, use_cache=False).modules[0].lessons[0].id == "lessons/01-welcome"
    same = outline.rename_lesson(outline.Folder.of(starter), "lessons/check-your-learning.md", "Check  your LEARNING")
    assert same.deletes == () and list(same.writes) == ["lessons/check-your-learning.md"]  # retitled only


def test_adding_moving_and_deleting_modules_and_lessons(starter: Path) -> None:
    folder = lambda: outline.Folder.of(starter)  # noqa: E731
    apply(starter, outline.add_module(folder(), "Going further", "Next steps"))
    apply(starter, outline.add_lesson(folder(), 1, "Next steps"))  # the same title: a free name
    assert [m.lessons for m in outline.modules(folder().course_yml)][1] == [
        "lessons/next-steps.md",
        "lessons/next-steps-2.md",
    ]
    apply(starter, outline.move_module(folder(), 1, 0))
    apply(starter, outline.rename_module(folder(), 0, "First: the basics"))
    apply(starter, outline.move_lesson_by(folder(), "lessons/next-steps-2.md", 1))  # past its module: the next one
    mods = outline.modules(folder().course_yml)
    assert [m.title for m in mods] == ["First: the basics", "Getting started"]
    assert mods[1].lessons[0] == "lessons/next-steps-2.md"
    assert problems(starter) == []
    change = apply(starter, outline.move_lesson(folder(), "lessons/next-steps.md", 1, 99))
    assert "had no other lesson and was removed" in change.note
    assert [m.title for m in outline.modules(folder().course_yml)] == ["Getting started"]
    apply(starter, outline.delete_lesson(folder(), "lessons/next-steps.md"))
    assert not (starter / "lessons/next-steps.md").exists()
    assert problems(starter) == []


def test_a_linked_lesson_is_not_deleted_and_the_last_module_stays(starter: Path) -> None:
    with pytest.raises(outline.OutlineError, match=r"lessons/01-welcome\.md from lessons/03-rules\.md"):
        outline.delete_lesson(outline.Folder.of(starter), "lessons/01-welcome.md")
    with pytest.raises(outline.OutlineError, match="at least one module"):
        outline.delete_module(outline.Folder.of(starter), 0)
    with pytest.raises(outline.OutlineError, match="not listed"):
        outline.delete_lesson(outline.Folder.of(starter), "lessons/nope.md")
    with pytest.raises(outline.OutlineError, match="first in the course"):
        outline.move_lesson_by(outline.Folder.of(starter), "lessons/01-welcome.md", -1)
    with pytest.raises(outline.OutlineError, match="title"):
        outline.add_lesson(outline.Folder.of(starter), 0, " \x00\x07 ")
    with pytest.raises(outline.OutlineError, match="not valid YAML"):
        outline.add_module(outline.Folder.of(starter, "modules: [\n"), "A", "B")
    apply(starter, outline.add_module(outline.Folder.of(starter), "Extra", "More"))
    change = apply(starter, outline.delete_module(outline.Folder.of(starter), 0))  # links inside it: no refusal
    assert set(change.deletes) == {"lessons/01-welcome.md", "lessons/02-check-your-learning.md", "lessons/03-rules.md"}
    assert problems(starter) == []
    (starter / "lessons/more.md").unlink()
    with pytest.raises(outline.OutlineError, match="file does not exist"):
        outline.rename_lesson(outline.Folder.of(starter), "lessons/more.md", "Gone")


def test_renaming_a_lesson_of_the_sample_keeps_its_translations(tmp_path: Path) -> None:
    root = shutil.copytree(SAMPLE, tmp_path / "sample")
    before = problems(root)
    segments = {s.source: s.id for s in i18n.segments(load_course(root, use_cache=False))}
    old = "lessons/03-serving-citizens/07-handling-grievances.md"
    change = apply(root, outline.rename_lesson(outline.Folder.of(root), old, "Grievances, step by step"))
    new = "lessons/03-serving-citizens/grievances-step-by-step.md"
    assert change.renamed == {old: new}
    assert "(lessons/03-serving-citizens/grievances-step-by-step.md)" in (
        root / "lessons/03-serving-citizens/06-citizen-centric-service.md"
    ).read_text("utf-8")
    assert problems(root) == before
    after = {s.source: s.id for s in i18n.segments(load_course(root, use_cache=False))}
    changed = {source for source in segments.keys() ^ after.keys()}
    assert changed <= {"Handling a grievance, step by step", "Grievances, step by step"}  # the title only
    assert all(after[s] == segments[s] for s in segments.keys() & after.keys())
    hindi = load_course(root, use_cache=False, lang="hi")
    assert [p.format() for p in hindi.problems if p.severity == "error"] == []


OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["add_module", "add_lesson", "rename", "move", "move_module", "delete", "rename_module"]),
        st.integers(0, 5),
        st.sampled_from(["Intro", "Rules: part 2", "परिचय", "yes", 'A "quoted" #title']),
    ),
    min_size=1,
    max_size=6,
)


def operate(folder: outline.Folder, name: str, n: int, title: str) -> outline.Change:
    mods = outline.modules(folder.course_yml)
    paths = [p for m in mods for p in m.lessons]
    path, module = paths[n % len(paths)], n % len(mods)
    if name == "add_module":
        return outline.add_module(folder, title, title)
    if name == "add_lesson":
        return outline.add_lesson(folder, module, title)
    if name == "rename":
        return outline.rename_lesson(folder, path, title)
    if name == "move":
        return outline.move_lesson_by(folder, path, 1 if n % 2 else -1)
    if name == "move_module":
        return outline.move_module(folder, module, 0)
    if name == "delete":
        return outline.delete_lesson(folder, path)
    return outline.rename_module(folder, module, title)


@settings(max_examples=10, derandomize=True, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(steps=OPERATIONS)
def test_any_sequence_of_operations_leaves_a_course_that_checks(tmp_path_factory, steps) -> None:
    root = new_course(tmp_path_factory.mktemp("prop") / "course", title="Property")
    for name, n, title in steps:
        folder = outline.Folder.of(root)
        try:
            apply(root, operate(folder, name, n, title))
        except outline.OutlineError:
            continue  # refused: nothing written
        assert problems(root) == [], (name, title)
