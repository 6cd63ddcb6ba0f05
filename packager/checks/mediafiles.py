"""Media must be usable (probed by ``packager.media``: by content, not by name) and caption files well formed
and in time."""

from __future__ import annotations

from collections.abc import Iterator

from .. import yamlsrc
from ..errors import Problem, error, warning
from ..model import Course
from ..runner import LOCAL, Runner


def unusable_media(course: Course, runner: Runner = LOCAL) -> Iterator[Problem]:
    if not course.thumbnail and not any(lesson.media for lesson in course.lessons):
        return  # the media pipeline is imported by a course that has media only
    from ..media.probe import probe

    for lesson in course.lessons:
        for ref in lesson.media:
            path = course.root / ref.src
            if ref.kind == "attachment" or not path.is_file():
                continue
            info = probe(path, ref.kind, runner)
            if info.error:
                yield error(lesson.path, ref.line, f"{ref.kind} '{ref.src}' {info.error}")
            for note in info.notes:
                yield warning(lesson.path, ref.line, f"{ref.kind} '{ref.src}' {note}")
    thumb = course.thumbnail
    if thumb and (course.root / thumb).is_file():
        info = probe(course.root / thumb, "image", runner)
        if info.error:
            yield error("course.yml", thumbnail_line(course), f"thumbnail '{thumb}' {info.error}")


def thumbnail_line(course: Course) -> int | None:
    """The line of ``thumbnail:`` in course.yml (the model keeps no line for it), or None."""
    try:
        text = (course.root / "course.yml").read_text("utf-8")
        return yamlsrc.parse(text, "course.yml").lines.get(("thumbnail",))
    except (OSError, UnicodeDecodeError, ValueError):
        return None


def caption_files(course: Course, runner: Runner = LOCAL) -> Iterator[Problem]:
    seen: set[str] = set()
    for lesson in course.lessons:
        for ref in lesson.media:
            for cap in ref.captions:
                from ..media import captions  # the media pipeline: imported by a course with captions only
                from ..media.probe import probe

                path = course.root / cap.src
                if cap.src in seen or not path.is_file():
                    continue
                seen.add(cap.src)
                _, cues, problems = captions.read(path, cap.src)
                yield from problems
                media = course.root / ref.src
                info = probe(media, ref.kind, runner) if media.is_file() else None
                if info is None or info.error:
                    continue
                late = [c for c in cues if c.end > info.duration + 0.05]
                if late:
                    yield warning(
                        cap.src,
                        late[0].line,
                        f"caption runs to {late[-1].end:.3f} s, past the end of '{ref.src}' ({info.duration:.3f} s)",
                    )
