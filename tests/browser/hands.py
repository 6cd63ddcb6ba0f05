"""The author's hands, shared by the browser test of the block editor and ``bench/authoring_day.py``:
every click and keystroke goes through :class:`Author` and is counted, and :func:`png` makes the image
the author uploads."""

from __future__ import annotations

import struct
import zlib


def png() -> bytes:
    """A real 8×8 grey PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + b"\x80" * 8 for _ in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


class Author:
    """The author's hands: every click and keystroke goes through here and is counted."""

    def __init__(self, page) -> None:
        self.page, self.clicks, self.keys = page, 0, 0

    def click(self, locator) -> None:
        locator.click()
        self.clicks += 1

    def type(self, locator, text: str) -> None:
        locator.click()  # to the field: one click
        self.clicks += 1
        locator.press_sequentially(text) if text else None
        self.keys += len(text)

    def press(self, locator, key: str) -> None:
        locator.press(key)
        self.keys += 1

    def block(self, n: int):
        return self.page.locator(f'.block[data-i="{n - 1}"]')
