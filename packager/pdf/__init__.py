"""PDF handouts: the course model and its lesson HTML, typeset by WeasyPrint with the theme's print CSS.

``fonts`` finds a Noto font per script, ``text`` gives Indic and Urdu text a searchable layer,
``handout`` builds the document and writes the PDF. The ``pdf`` export format calls :func:`write_handout`.
"""

from __future__ import annotations

from .handout import Handout, write_handout

__all__ = ["Handout", "write_handout"]
