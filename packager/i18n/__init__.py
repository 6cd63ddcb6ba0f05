"""Localisation of courses: segments, gettext catalogs, XLIFF, translated builds and translation QA.

``segments`` cuts the text into pieces, ``catalog`` keeps them in ``translations/<lang>.po``, ``course``
ties both to a course folder (update, status, the build report), ``xliff`` exchanges catalogs with CAT
tools and ``qa`` checks translations. A translated course is loaded by ``load_course(root, lang=…)``.
"""
