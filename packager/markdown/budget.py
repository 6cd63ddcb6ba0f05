"""A CPU budget for one parse: the live preview parses on every keystroke, and must not let one text
hold a server worker for seconds.

The parser's rules run at every position of the text (inline) and at every line (block), so two
no-op rules placed first in each ruler look at the clock now and then and raise
:class:`LessonTooComplex` once the parse has used its budget of CPU time. They are installed only in
the budgeted parser (``parser(budgeted=True)``); ``kstudio check`` and builds parse without them.
"""

from __future__ import annotations

import time

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

from ..errors import LessonTooComplex

ENV_KEY = "ks_budget"
_EVERY = 256  # rule calls between looks at the clock (a call is about a microsecond)


class Budget:
    """*seconds* of this thread's CPU time from now (other threads' work is not counted)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.deadline = time.thread_time() + seconds
        self.calls = 0

    def tick(self) -> None:
        self.calls += 1
        if self.calls % _EVERY == 0 and time.thread_time() > self.deadline:
            raise LessonTooComplex(
                f"the lesson takes more than {self.seconds:g} s to preview: split it into shorter lessons, "
                "or look for long runs of brackets or other markup"
            )


def install(md: MarkdownIt) -> None:
    md.inline.ruler.before(md.inline.ruler.get_all_rules()[0], "ks_budget", _inline)
    block_alts = ["paragraph", "reference", "blockquote", "list"]  # also run on every line inside these
    md.block.ruler.before(md.block.ruler.get_all_rules()[0], "ks_budget", _block, {"alt": block_alts})


def _inline(state: StateInline, silent: bool) -> bool:
    budget = state.env.get(ENV_KEY)
    if budget is not None:
        budget.tick()
    return False


def _block(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    budget = state.env.get(ENV_KEY)
    if budget is not None:
        budget.tick()
    return False
