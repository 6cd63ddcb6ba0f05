"""``::: reflection``: a prompt the learner answers in their own words (kept with their progress)."""

from __future__ import annotations

from ..model import Reflection
from .context import Container, Context, parse_params, slug


def parse(box: Container, ctx: Context) -> Reflection:
    options, words = parse_params(box.params)
    for unknown in [*words, *(k for k in options if k != "id")]:
        ctx.env.error(box.line, f"'::: reflection' does not take '{unknown}' (only id=…)")
    number = ctx.next_number("reflection")
    rid = options.get("id") or f"{ctx.lesson_slug}-r{number}"
    if slug(rid) != rid:
        ctx.env.error(box.line, f"reflection id '{rid}' may use only letters, digits, '-' and '_'")
        rid = slug(rid)
    if not box.tokens:
        ctx.env.error(box.line, "reflection has no prompt")
    text = " ".join(t.content for t in box.tokens if t.type == "inline").strip()
    return Reflection(rid, ctx.render(box.tokens), ctx.env.line(box.line), text)
