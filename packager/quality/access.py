"""Accessibility criteria (WCAG 2.1 level A, which GIGW 3.0 adopts): captions, transcripts, alt text.

A missing caption track or transcript in the course's own language, and alt text that is empty or a file
name, are errors; the rest is advice (docs/igot.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..errors import Problem, error, warning
from ..model import Course, Lesson, MediaRef
from .report import Criterion, percent
from .scope import Scope

GENERIC_ALT = frozenset(
    {
        "image", "picture", "photo", "photograph", "figure", "fig", "chart", "graph", "diagram", "graphic", "icon",
        "logo", "img", "screenshot", "illustration", "banner", "placeholder", "untitled",
    }
)  # fmt: skip
MEDIA_EXT = r"\.(?:png|jpe?g|webp|gif|svg|mp4|webm|mov|mkv|mp3|m4a|ogg|wav)"
_FILE_NAME = re.compile(rf"^[\w .()-]{{0,200}}{MEDIA_EXT}$", re.IGNORECASE)


# --- captions and transcripts ---------------------------------------------------------------------------


def captions(course: Course, scope: Scope) -> Criterion:
    videos = _uses(course, "video")
    problems = list(_missing_tracks(course, videos, scope.langs, "has no captions", "a caption track"))
    good = sum(1 for lesson, ref in videos if not _missing_langs(ref, scope.langs))
    langs = ", ".join(scope.langs)
    measured = (
        f"{good} of {len(videos)} videos have captions in every language built ({langs})" if videos else "no videos"
    )
    return Criterion(
        "captions",
        "Captions on every video",
        "WCAG 2.1 SC 1.2.2 (A), GIGW 3.0",
        percent(good, len(videos)),
        measured,
        tuple(problems),
    )


def transcripts(course: Course, scope: Scope) -> Criterion:
    audios, videos = _uses(course, "audio"), _uses(course, "video")
    problems = list(_missing_tracks(course, audios, scope.langs, "has no transcript", "a transcript (a caption file)"))
    good = sum(1 for lesson, ref in audios if not _missing_langs(ref, scope.langs))
    for lesson, ref in videos:
        if _video_transcript(lesson, ref):
            good += 1
        else:
            stem = ref.src.rsplit(".", 1)[0]
            problems.append(
                warning(
                    lesson.path,
                    ref.line,
                    f"video '{ref.src}' has no transcript: link one in this lesson, e.g. "
                    f"[Transcript of the video (PDF)]({stem}.transcript.pdf)",
                )
            )
    total = len(audios) + len(videos)
    measured = f"{good} of {total} audio and video files have a transcript" if total else "no audio or video"
    return Criterion(
        "transcripts",
        "Transcripts for audio and video",
        "WCAG 2.1 SC 1.2.1 and 1.2.3 (A), GIGW 3.0",
        percent(good, total),
        measured,
        tuple(problems),
    )


def _uses(course: Course, kind: str) -> list[tuple[Lesson, MediaRef]]:
    return [(lesson, ref) for lesson in course.lessons for ref in lesson.media if ref.kind == kind]


def _missing_langs(ref: MediaRef, langs: list[str]) -> list[str]:
    have = {c.lang for c in ref.captions}
    return [lang for lang in langs if lang not in have]


def _missing_tracks(
    course: Course, uses: list[tuple[Lesson, MediaRef]], langs: list[str], says: str, what: str
) -> Iterator[Problem]:
    """The source language's missing track is an error (no learner has one); a translation's is advice:
    its learners get the other languages' tracks meanwhile."""
    for lesson, ref in uses:
        missing = _missing_langs(ref, langs)
        if not missing:
            continue
        stem = ref.src.rsplit(".", 1)[0]
        files = ", ".join(f"{stem}.{lang}.vtt" for lang in missing)
        text = f"{ref.kind} '{ref.src}' {says} in {', '.join(missing)}: add {what} ({files})"
        if course.language in missing or not ref.captions:
            yield error(lesson.path, ref.line, text)
        else:
            yield warning(lesson.path, ref.line, text)


def _video_transcript(lesson: Lesson, ref: MediaRef) -> bool:
    """A video's transcript: an attachment linked in the same lesson whose file name or link text says
    transcript (in the lesson's own words only English is recognised; the file name works in any)."""
    return any(
        m.kind == "attachment" and ("transcript" in m.src.lower() or "transcript" in m.text.lower())
        for m in lesson.media
    )


# --- alt text ---------------------------------------------------------------------------------------------


def alt_text(course: Course, scope: Scope) -> Criterion:
    problems: list[Problem] = []
    images = _uses(course, "image")
    good = 0
    for lesson, ref in images:
        alt = ref.text.strip()
        name = ref.src.rsplit("/", 1)[-1]
        if not alt:
            problems.append(
                error(lesson.path, ref.line, f"image '{ref.src}' has no alt text: say what it shows and why")
            )
        elif _is_file_name(alt, name):
            problems.append(
                error(lesson.path, ref.line, f"image '{ref.src}' has its file name as alt text: say what it shows")
            )
        elif alt.lower().strip(".") in GENERIC_ALT:
            problems.append(
                warning(lesson.path, ref.line, f"image '{ref.src}' has the alt text '{alt}': say what it shows")
            )
        else:
            good += 1
    for lang, entry in scope.entries():
        if "|alt|" in (entry.msgctxt or "") and entry.msgstr and _FILE_NAME.match(entry.msgstr.strip()):
            problems.append(
                error(
                    f"translations/{lang}.po",
                    entry.linenum,
                    "alt text translated as a file name: say what it shows",
                )
            )
    measured = f"{good} of {len(images)} images have meaningful alt text" if images else "no images"
    return Criterion(
        "alt-text",
        "Alt text on every image",
        "WCAG 2.1 SC 1.1.1 (A), GIGW 3.0",
        percent(good, len(images)),
        measured,
        tuple(problems),
    )


def _is_file_name(alt: str, name: str) -> bool:
    lowered, stem = alt.lower(), name.lower().rsplit(".", 1)[0]
    return lowered in (name.lower(), stem) or bool(_FILE_NAME.match(alt)) or re.sub(r"[-_ ]+", " ", stem) == lowered
