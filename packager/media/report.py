"""What a package weighs: media, player, fonts and text, read from the finished zip."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_BUDGET_MB = 25
FONT_EXT = {".woff", ".woff2", ".ttf", ".otf"}
TEXT_EXT = {".vtt", ".srt"}


@dataclass
class SizeReport:
    total: int = 0
    parts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("media", "player", "fonts", "text"), 0))

    def over(self, budget_mb: float) -> bool:
        return self.total > budget_mb * (1 << 20)

    def summary(self) -> str:
        """``media 1.2 MB, player 40 KB, fonts 0 KB, text 95 KB``"""
        return ", ".join(f"{part} {human(size)}" for part, size in self.parts.items())


def category(name: str) -> str:
    """Which part of a package an entry belongs to.

    >>> [category(n) for n in ("media/a.mp4.low.mp4", "assets/player.js", "lessons/a.js", "assets/x.woff2")]
    ['media', 'player', 'text', 'fonts']
    """
    ext = name[name.rfind(".") :].lower() if "." in name else ""
    if ext in FONT_EXT:
        return "fonts"
    if name in ("index.html", "course.js") or name.startswith("lessons/") or ext in TEXT_EXT:
        return "text"
    if name.startswith("assets/") or "/" not in name or ext in (".xsd", ".dtd"):
        return "player"  # runtime, LMS manifests, adapters and schemas (SCORM 2004's sit in folders too)
    return "media"


def size_report(package: Path) -> SizeReport:
    """Compressed size of each part of the zip at *package* (what a learner downloads)."""
    report = SizeReport()
    if not zipfile.is_zipfile(package):
        report.total = report.parts["text"] = package.stat().st_size
        return report
    with zipfile.ZipFile(package) as z:
        for info in z.infolist():
            report.parts[category(info.filename)] += info.compress_size
    report.total = package.stat().st_size
    return report


def human(size: float) -> str:
    """A size for people.

    >>> human(1536), human(5 << 20)
    ('2 KB', '5.0 MB')
    """
    return f"{size / (1 << 20):.1f} MB" if size >= 1 << 20 else f"{size / 1024:.0f} KB"
