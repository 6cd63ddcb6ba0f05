"""Authoring: courses, the editor and its API, the library on disk, media, revisions, import, quizzes."""
