"""The studio's layout: rooms (accounts/, authoring/, preview/, translation/, marketplace/, jobs/) around
an app core. Rooms import one another in one direction only, the core's data modules import no room, and
no module reaches into another room's or packager's private names.

Inside a room, views and services are apart: a room's blueprints are made in its views modules
(``views.py``, ``<area>_views.py``), which read the request and answer it but query nothing beyond the
objects of the URL (``session.get``); every other module is a service, which never touches the request
or answers it (no ``request``, ``g``, ``session``, ``render_template``, ``flash``, ``redirect``...)."""

from __future__ import annotations

import ast
from pathlib import Path

STUDIO = Path(__file__).resolve().parents[2] / "studio"
ROOMS = sorted(p.name for p in STUDIO.iterdir() if (p / "__init__.py").is_file() and p.name != "migrations")
COMPOSERS = {"studio", "studio.cli", "studio.seed", "studio.security"}  # the core that puts the rooms together


def _modules() -> dict[str, Path]:
    found = {}
    for path in STUDIO.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = ".".join(path.relative_to(STUDIO.parent).with_suffix("").parts).removesuffix(".__init__")
        found[name] = path
    return found


def _imports(name: str, path: Path) -> list[tuple[str, str]]:
    """(module imported from, name imported) for every ``from ... import`` in the file, nested ones too."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            out += [(source, alias.name) for alias in node.names]
    return out


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in ROOMS else "core"


def _room_graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = {room: set() for room in [*ROOMS, "core"]}
    for name, path in modules.items():
        if name in COMPOSERS:
            continue
        for source, imported in _imports(name, path):
            if not source.startswith("studio"):
                continue
            target = f"{source}.{imported}" if f"{source}.{imported}" in modules else source
            if _room(target) != _room(name):
                graph[_room(name)].add(_room(target))
    return graph


def test_the_rooms_are_there():
    assert ROOMS == ["accounts", "analytics", "authoring", "jobs", "marketplace", "preview", "translation"]


def test_the_core_imports_no_room():
    assert _room_graph()["core"] == set()


def test_no_import_cycle_between_rooms():
    graph = _room_graph()
    done: set[str] = set()

    def visit(room: str, path: list[str]) -> None:
        assert room not in path, f"import cycle between rooms: {' -> '.join([*path, room])}"
        if room in done:
            return
        for other in sorted(graph[room]):
            visit(other, [*path, room])
        done.add(room)

    for room in graph:
        visit(room, [])


def test_no_private_name_from_packager_or_another_room():
    modules = _modules()
    reaching = []
    for name, path in modules.items():
        foreign = set()  # the names this module took from packager or from another room
        for source, imported in _imports(name, path):
            if source.startswith("packager") or (source.startswith("studio") and _room(source) != _room(name)):
                foreign.add(imported)
                if imported.startswith("_") and not imported.startswith("__"):
                    reaching.append(f"{name}: from {source} import {imported}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # module._name, for a module taken whole
            taken = isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in foreign
            if taken and node.attr.startswith("_") and not node.attr.startswith("__"):
                reaching.append(f"{name}: {node.value.id}.{node.attr}")
    assert reaching == []


def test_job_and_content_kinds_are_registered_by_their_rooms(app):
    from studio.analytics import ingest, records
    from studio.authoring import media_files
    from studio.jobs import build_all
    from studio.marketplace import review_views, submissions
    from studio.translation import views as translation

    kinds = app.extensions["studio.job_kinds"]
    assert sorted(kinds) == ["analytics-recount", "build", "build-all", "import", "lrs-pull", "media", "submission"]
    assert kinds["build-all"] is build_all.run
    assert kinds["media"] is media_files.transcode and kinds["submission"] is submissions.run_job
    assert kinds["lrs-pull"] is ingest.run_pull and kinds["analytics-recount"] is records.run_recount
    content_kinds = app.extensions["studio.content_kinds"]
    assert content_kinds == {"translate": translation.serve_content, "review": review_views.serve_content}


# Names of flask and flask_login that read the request or answer it: a service imports none of them
REQUEST_NAMES = {
    "request",
    "g",
    "session",
    "render_template",
    "render_template_string",
    "flash",
    "redirect",
    "url_for",
    "jsonify",
    "make_response",
    "current_user",
    "login_user",
    "logout_user",
}
# Session methods that query or change rows: a views module calls none (it may get() the URL's objects,
# and commit or roll back the request's transaction)
QUERIES = {"execute", "scalar", "scalars", "add", "add_all", "delete", "merge", "flush", "query"}
# Request-side modules that are not views files: the guard every view goes through, and the content
# origin's own small app. The rule of views holds for them.
REQUEST_SIDE = {"studio.accounts.policy", "studio.preview.content"}


def _room_modules() -> dict[str, Path]:
    """Every module of every room (not the rooms' packages themselves)."""
    packages = {f"studio.{room}" for room in ROOMS}
    return {name: path for name, path in _modules().items() if _room(name) != "core" and name not in packages}


def _is_views(name: str) -> bool:
    last = name.rsplit(".", 1)[-1]
    return last == "views" or last.endswith("_views")


def test_services_never_touch_the_request():
    touching = []
    for name, path in _room_modules().items():
        if _is_views(name) or name in REQUEST_SIDE:
            continue
        for source, imported in _imports(name, path):
            if source in ("flask", "flask_login") and imported in REQUEST_NAMES:
                touching.append(f"{name}: from {source} import {imported}")
    assert touching == []


def test_blueprints_are_made_in_views_modules_only():
    elsewhere = []
    for name, path in _room_modules().items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            call = isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "Blueprint"
            if call and not _is_views(name):
                elsewhere.append(f"{name}:{node.lineno}")
    assert elsewhere == []


def test_views_query_nothing_but_the_objects_of_their_url():
    querying = []
    for name, path in _room_modules().items():
        if not (_is_views(name) or name in REQUEST_SIDE):
            continue
        querying += [
            f"{name}: from {source} import {imported}"
            for source, imported in _imports(name, path)
            if source.startswith("sqlalchemy")
        ]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in QUERIES:
                querying.append(f"{name}:{node.lineno}: .{node.func.attr}()")
    assert querying == []


def test_the_rules_see_every_room():
    """The checks above read real modules: each room has views and services they looked at."""
    modules = _room_modules()
    views = {_room(n) for n in modules if _is_views(n)}
    services = {_room(n) for n in modules if not _is_views(n) and n not in REQUEST_SIDE}
    assert views == {"accounts", "analytics", "authoring", "jobs", "marketplace", "preview", "translation"}
    assert services == {"accounts", "analytics", "authoring", "jobs", "marketplace", "preview", "translation"}
    assert set(modules) >= REQUEST_SIDE
