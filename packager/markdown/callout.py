"""``::: note`` / ``tip`` / ``warning`` / ``important``: a call-out box around ordinary Markdown."""

from __future__ import annotations

from ..model import Callout
from .context import Container, Context


def parse(box: Container, ctx: Context) -> Callout:
    if box.params.strip():
        ctx.env.warning(box.line, f"'::: {box.kind}' takes no options; '{box.params.strip()}' is ignored")
    return Callout(box.kind, ctx.render(box.tokens), ctx.env.line(box.line))  # type: ignore[arg-type]
