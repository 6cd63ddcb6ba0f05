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

    def keyboard(self, text: str) -> None:
        """Typed where the cursor is."""
        self.page.keyboard.type(text)
        self.keys += len(text)

    def key(self, key: str) -> None:
        self.page.keyboard.press(key)
        self.keys += 1

    def block(self, n: int):
        return self.page.locator(f'.block[data-i="{n - 1}"]')


def five_questions(me: Author, n: int) -> None:
    """The quiz of block *n* (graded: pass mark 70, 2 attempts) given one question of each kind, each from
    its form, as the author's day does it."""
    quiz = me.block(n)
    me.type(quiz.get_by_label("Pass mark (%)"), "70")
    me.type(quiz.get_by_label("Attempts allowed"), "2")

    def add(kind: str, prompt: str):
        me.click(quiz.get_by_role("button", name=f"Add a question '{kind}' to block {n}"))
        q = quiz.locator(".bq").last
        me.type(q.get_by_label("Question", exact=True), prompt)
        return q

    q = add("One correct answer", "Who replies first?")
    me.type(q.get_by_label("Option text").nth(0), "The officer")
    me.type(q.get_by_label("Option text").nth(1), "Nobody")
    q = add("Several correct answers", "What goes in a reply?")
    me.type(q.get_by_label("Option text").nth(0), "The decision")
    me.type(q.get_by_label("Option text").nth(1), "The reasons")
    me.click(q.get_by_label("Correct").nth(1))
    me.type(q.get_by_label("Feedback when chosen").nth(1), "Yes, always the reasons.")
    q = add("Fill in the answer", "How many days at most?")
    me.type(q.get_by_label("Accepted answers, one a line"), "30")
    q = add("Put in order", "Order the steps.")
    me.type(q.get_by_label("Items in the right order, one a line"), "Register")
    me.key("Enter")
    me.keyboard("Decide")
    q = add("Match pairs", "Match each to its office.")
    for k, (left, right) in enumerate([("Pension", "Finance"), ("Transfer", "Personnel")]):
        pair = q.locator(".bq-pair").nth(k)
        me.type(pair.get_by_label("Left"), left)
        me.type(pair.get_by_label("Right"), right)
    me.type(q.get_by_label("Explanation"), "Each office answers for its own rules.")
