"""Course list and course page: outline, learning time and the check report."""

from __future__ import annotations

from flask import Blueprint, render_template

from packager import check_course

from .library import course_folders, open_course

bp = Blueprint("courses", __name__)


@bp.get("/")
def index() -> str:
    courses = []
    for folder in course_folders():
        course = open_course(folder.name)
        problems = check_course(course)
        courses.append((folder.name, course, problems))
    return render_template("courses.html", courses=courses)


@bp.get("/courses/<name>/")
def course(name: str) -> str:
    course = open_course(name)
    return render_template("course.html", name=name, course=course, problems=check_course(course))
