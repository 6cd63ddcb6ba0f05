"""Every route, called as each role, as a member of another organisation and signed out.

The expected answer comes from the one policy table (studio/accounts/policy.py): the test fails when a route
is added without a guard, and when a guard does not match the table."""

from __future__ import annotations

import re

import pytest

from studio.accounts.policy import ACTIONS
from studio.models import ROLES
from tests.studio.conftest import LESSON

PUBLIC = {"auth.login", "auth.logout", "auth.password", "orgs.home", "static"}  # one's own
PUBLIC |= {"notify.index", "notify.mark_read"}
PUBLIC |= {"catalog.index", "catalog.course", "catalog.download", "catalog.thumbnail", "catalog.metadata"}
PUBLIC |= {"catalog.sheet", "catalog_api.api_courses", "catalog_api.api_course"}  # the published catalogue
PUBLIC |= {
    "lrs.about",
    "lrs.statements",
    "lrs.state",
    "lrs.agent_profile",
    "lrs.agents",
}  # the studio's LRS: its own credentials per course (test_analytics_records)
VALUES = {
    "sub": "1",
    "path": LESSON,
    "lesson_id": "lessons/01-welcome",
    "filename": "studio.css",
    "job_id": "1",
    "name": "p.zip",
}
VALUES |= {"lang": "hi", "fmt": "po", "comment_id": "1"}  # the translator's workspace: c1 is translated into hi
VALUES |= {"credential_id": "1", "source_id": "1"}  # learning records: none made; the routes say so and go back
SPECIAL = {
    "preview.file": {"path": "course.js"},
    "translate.player_files": {"path": "course.js"},
    "review.player": {"lang": "en"},  # submission 1 was submitted in English only
    "review.player_asset": {"lang": "en", "path": "course.js"},
    "courses.import_job": {"job_id": "2"},  # job 2: a finished import into inst
    "courses.import_status": {"job_id": "2"},
    "outline.change": {"operation": "rename-module"},
}
QUERY = {"editor.diff": "?a=1&b=1"}


@pytest.fixture(autouse=True)
def finished_job(app):
    """Job 1: a finished build of inst/c1 with one package, so the job routes have something to show."""
    from pathlib import Path

    from sqlalchemy import select

    from studio.db import session_for
    from studio.jobs.queue import builds_dir
    from studio.models import CourseRecord, Job

    session = session_for(app)
    course = session.scalar(
        select(CourseRecord).where(CourseRecord.slug == "c1", CourseRecord.organisation.has(slug="inst"))
    )
    job = Job(course_id=course.id, kind="build", status="done", result={"files": [{"name": "p.zip", "bytes": 2}]})
    session.add(job)
    session.commit()
    assert job.id == 1
    yml = Path(app.config["COURSES_ROOT"]) / "inst" / "c1" / "course.yml"
    yml.write_text(yml.read_text() + "translations: [hi]\n")
    from studio.models import SegmentComment

    session.add(SegmentComment(course_id=course.id, lang="hi", segment_id="x|title", body="?"))
    result = {"course": "c1", "title": "First course", "report": "import-report.md", "counts": {}}
    imported = Job(kind="import", status="done", params={"org": course.organisation_id, "filename": "a.docx"})
    imported.result = result
    session.add(imported)
    session.commit()
    assert imported.id == 2
    session.close()
    Path(builds_dir(app, 1)).mkdir(parents=True)
    (builds_dir(app, 1) / "p.zip").write_bytes(b"PK")
    _submission_in_review(app)


def _submission_in_review(app):
    """'inst' runs the catalogue too, and submission 1 (its own c1, frozen) is in review, so the
    catalogue's review routes answer every role of the table."""
    from pathlib import Path

    from sqlalchemy import select

    from packager import load_course
    from packager.marketplace import freeze
    from studio.db import session_for
    from studio.marketplace.submissions import store
    from studio.models import CourseRecord, Organisation, Submission

    session = session_for(app)
    inst = session.scalar(select(Organisation).where(Organisation.slug == "inst"))
    inst.is_catalogue = True
    course = session.scalar(
        select(CourseRecord).where(CourseRecord.slug == "c1", CourseRecord.organisation_id == inst.id)
    )
    snap = freeze(load_course(Path(app.config["COURSES_ROOT"]) / "inst" / "c1"), store(app))
    sub = Submission(
        course_id=course.id,
        catalogue_id=inst.id,
        state="in_review",
        langs='["en"]',
        snapshot=snap.folder.relative_to(store(app)).as_posix(),
        digest=snap.digest,
    )
    session.add(sub)
    session.commit()
    assert sub.id == 1
    session.close()


def routes(app):
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method, getattr(view, "studio_action", None)


def url(rule, org):
    values = {**VALUES, **SPECIAL.get(rule.endpoint, {}), "org": org, "course": "c1"}
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values.get(m[1], "x"), rule.rule) + QUERY.get(rule.endpoint, "")


def call(who, method, address):
    if method == "GET":
        return who.get(address)
    if address.startswith("/api/"):
        return who.api(address, {})
    return who.post(address, {})


def test_every_route_is_guarded_or_public(app):
    unguarded = {rule.endpoint for rule, _, action in routes(app) if action is None} - PUBLIC
    assert not unguarded, f"routes without @requires: {unguarded}"


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_what_the_table_allows(app, person, role):
    who = person(f"{role}@inst.example")
    wrong = []
    for rule, method, action in routes(app):
        if action is None:
            continue
        status = call(who, method, url(rule, "inst")).status_code
        expected = role in ACTIONS[action]
        if (expected and status in (401, 403, 404)) or (not expected and status != 403):
            wrong.append(f"{method} {rule.rule} ({action}): {status}")
    assert not wrong, f"{role}: " + "; ".join(wrong)


def test_members_of_another_organisation_see_nothing(app, person):
    outsider = person("admin@other.example")  # admin of 'other': every action there, none in 'inst'
    for rule, method, action in routes(app):
        if action is None:
            continue
        status = call(outsider, method, url(rule, "inst")).status_code
        assert status == 404, f"{method} {rule.rule}: {status}"


def test_signed_out_callers_are_sent_to_sign_in(app, person):
    anonymous = person()
    for rule, method, action in routes(app):
        if action is None:
            continue
        response = call(anonymous, method, url(rule, "inst"))
        if rule.rule.startswith("/api/"):
            assert response.status_code == 401, rule.rule
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], rule.rule


@pytest.mark.parametrize("role", ["translator", "reviewer"])
def test_course_yml_is_only_edited_by_roles_that_may_change_course_details(person, role):
    who = person(f"{role}@inst.example")
    assert who.get("/o/inst/c/c1/edit/course.yml").status_code == 403
    assert who.api("/api/o/inst/c/c1/save", {"path": "course.yml", "text": "x", "base": 1}).status_code == 403
