"""Caption files: WebVTT checked cue by cue, SRT converted to WebVTT.

A caption problem points at the caption file's own line, which is where the author fixes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import Problem, error, warning

MAX_CAPTION_BYTES = 1 << 20
_TIME = r"(?:(\d{1,}):)?(\d{2}):(\d{2})\.(\d{3})"
_TIMING = re.compile(rf"^{_TIME}[ \t]+-->[ \t]+{_TIME}(?:[ \t]+.*)?$")
_SRT_TIMING = re.compile(r"^\s*(?:\d+:)?\d{2}:\d{2},\d{3}\s+-->\s+(?:\d+:)?\d{2}:\d{2},\d{3}")
_HEADER = re.compile(r"^WEBVTT(?:[ \t].*)?$")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    line: int


def read(path: Path, file: str) -> tuple[str | None, list[Cue], list[Problem]]:
    """The caption file as WebVTT text (SRT converted), its cues, and its problems."""
    data = path.read_bytes()
    if len(data) > MAX_CAPTION_BYTES:
        return None, [], [error(file, None, "caption file is larger than 1 MB")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, [], [error(file, line, "caption file is not valid UTF-8 text: save it as UTF-8")]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if file.lower().endswith(".srt"):
        text, offset = (
            "WEBVTT\n\n" + srt_timing_to_vtt(text),
            -2,
        )  # the header adds two lines; report the SRT's own lines
    else:
        offset = 0
    cues, problems = parse(text, file, offset)
    return (text if not any(p.severity == "error" for p in problems) else None), cues, problems


def to_webvtt(path: Path, file: str) -> bytes:
    """The caption file as WebVTT bytes, for packages (an unreadable file gives an empty track)."""
    text, _, _ = read(path, file)
    return (text or "WEBVTT\n").encode("utf-8")


def parse(text: str, file: str, offset: int = 0) -> tuple[list[Cue], list[Problem]]:
    """Check WebVTT *text*: the header, each cue's timing, their order and overlaps."""
    problems: list[Problem] = []
    lines = text.split("\n")
    if not lines or not _HEADER.match(lines[0]):
        return [], [error(file, 1, "a WebVTT caption file must start with the line 'WEBVTT'")]
    cues: list[Cue] = []
    i = 1
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        block_start = i
        while i < len(lines) and lines[i].strip():
            i += 1
        block = lines[block_start:i]
        if block[0].startswith(("NOTE", "STYLE", "REGION")):
            continue
        at = 0 if "-->" in block[0] else 1 if len(block) > 1 and "-->" in block[1] else None
        if at is None:
            if block_start + 1 + offset > 0:
                problems.append(
                    error(file, block_start + 1 + offset, "caption block has no timing line 'start --> end'")
                )
            continue
        line = block_start + at + 1 + offset
        cue = _cue(block[at].strip(), line)
        if cue is None:
            problems.append(
                error(file, line, f"bad cue timing '{block[at].strip()[:60]}': write 00:01:02.500 --> 00:01:05.000")
            )
            continue
        if cue.end <= cue.start:
            problems.append(error(file, line, "cue ends before it starts"))
        elif cues and cue.start < cues[-1].start:
            problems.append(error(file, line, "cue starts before the previous cue: cues must be in time order"))
        elif cues and cue.start < cues[-1].end:
            problems.append(
                warning(file, line, f"cue overlaps the previous one (line {cues[-1].line}), so both show at once")
            )
        cues.append(cue)
    return cues, problems


def _cue(timing: str, line: int) -> Cue | None:
    match = _TIMING.match(timing)
    if not match:
        return None
    g = match.groups()
    if int(g[2]) > 59 or int(g[1]) > 59 or int(g[6]) > 59 or int(g[5]) > 59:
        return None
    start = int(g[0] or 0) * 3600 + int(g[1]) * 60 + int(g[2]) + int(g[3]) / 1000
    end = int(g[4] or 0) * 3600 + int(g[5]) * 60 + int(g[6]) + int(g[7]) / 1000
    return Cue(start, end, line)


def srt_timing_to_vtt(text: str) -> str:
    """SRT's comma before milliseconds becomes WebVTT's dot (only on timing lines).

    >>> srt_timing_to_vtt("1\\n00:00:01,000 --> 00:00:02,500\\nHi, there")
    '1\\n00:00:01.000 --> 00:00:02.500\\nHi, there'
    """
    return "\n".join(ln.replace(",", ".") if _SRT_TIMING.match(ln) else ln for ln in text.split("\n"))
