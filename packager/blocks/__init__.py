"""The lesson block model: one reader and one writer of lesson Markdown for the block editor.

``read(text)`` gives a lesson's blocks (:mod:`.model`: front matter, text, heading, image, video,
audio, attachment, call-out, reflection, table, quiz and a raw block for the rest); ``write(blocks)``
gives Markdown the reader reads back as the same blocks and the build turns into the same lesson.
``to_json``/``from_json`` carry blocks to and from the browser, ``from_json`` checking every field.
"""

from __future__ import annotations

from .model import BlockError, from_json, to_json
from .read import read
from .write import normalise, write

__all__ = ["BlockError", "from_json", "normalise", "read", "to_json", "write"]
