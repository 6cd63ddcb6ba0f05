"""``kstudio`` with the studio's commands added (``serve``, ``worker``, ``admin``); the rest is ``packager``'s."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any


def default_data() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "karmayogi-studio"


def _app(args: argparse.Namespace, **extra: Any) -> Any:
    """The app configured from the instance file and environment, with the command line on top."""
    from . import create_app

    os.environ["KSTUDIO_DATA_DIR"] = str(
        (args.data or Path(os.environ.get("KSTUDIO_DATA_DIR") or default_data())).resolve()
    )
    for key, value in extra.items():
        if value is not None:
            os.environ[f"KSTUDIO_{key}"] = str(value)
    return create_app(None)


def _serve(args: argparse.Namespace) -> int:
    app = _app(args, QUEUE_URL=args.queue)
    binds = [(args.host, args.port)]
    if not app.config.get("CONTENT_ORIGIN"):  # course content on its own origin: the next port, served here too
        binds.append((args.host, args.port + 1))
        app.config["CONTENT_ORIGIN"] = f"http://{_url_host(args.host)}:{args.port + 1}"
    print(f"Karmayogi Studio on http://{_url_host(args.host)}:{args.port}/ (data in {app.config['DATA_DIR']})")
    print(f"Course content on {app.config['CONTENT_ORIGIN']}/")
    if args.demo:
        from .seed import seed_demo

        email, password = seed_demo(app)
        print(f"Demo organisation 'demo': sign in as {email} with password {password}")
    embedded = not app.config.get("QUEUE_URL")
    if args.workers <= 1:
        if embedded:  # the embedded queue's worker runs in this process
            from .jobs.queue import start_embedded_worker

            start_embedded_worker(app)
        print(
            "Jobs: "
            + ("run in this process" if embedded else f"queued on {app.config['QUEUE_URL']}; run 'kstudio worker'")
        )
        _run_werkzeug(app, binds)
        return 0
    from .server import run_gunicorn

    worker = None
    if embedded:  # one worker process beside gunicorn's, ended with it
        import subprocess

        worker = subprocess.Popen([sys.executable, "-m", "studio.cli", "worker", "--data", app.config["DATA_DIR"]])
    try:
        run_gunicorn(app, binds, args.workers)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)
    return 0


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _run_werkzeug(app: Any, binds: list[tuple[str, int]]) -> None:
    """One threaded server per address (the studio's, and its content origin's when on the next port)."""
    import threading

    from werkzeug.serving import make_server

    from .security import QuietRequestHandler

    # QuietRequestHandler: no server version in the Server header
    servers = [make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler) for host, port in binds]
    for server in servers[1:]:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        servers[0].serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for server in servers[1:]:
            server.shutdown()


def _worker(args: argparse.Namespace) -> int:
    from .jobs.queue import run_worker

    app = _app(args, QUEUE_URL=args.queue)
    print(f"kstudio worker: running jobs from {app.config.get('QUEUE_URL') or 'the embedded queue'}", flush=True)
    run_worker(app, args.threads)
    return 0


def _change_accounts(args: argparse.Namespace, change: Callable[[Any], str]) -> int:
    """Run *change* on a session of the studio's database and commit it; print what it says it did, or the
    AccountError that refused it (exit status 2, nothing written)."""
    from .accounts import accounts
    from .db import session_for

    session = session_for(_app(args))
    try:
        done = change(session)
        session.commit()
    except accounts.AccountError as exc:
        print(f"kstudio: error: {exc}", file=sys.stderr)
        return 2
    finally:
        session.close()
    print(done)
    return 0


def _create_org(args: argparse.Namespace) -> int:
    from .accounts import accounts

    def change(session: Any) -> str:
        org = accounts.create_org(session, args.slug, args.name)
        org.is_catalogue = args.catalogue
        return f"created organisation {org.slug} ({org.name})" + (
            ", which runs the catalogue" if org.is_catalogue else ""
        )

    return _change_accounts(args, change)


def _create_user(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from .accounts import accounts
    from .models import Organisation

    password = sys.stdin.readline().rstrip("\r\n")

    def change(session: Any) -> str:
        org = session.scalar(select(Organisation).where(Organisation.slug == args.org))
        if org is None:
            raise accounts.AccountError(f"no organisation '{args.org}'; create it with 'kstudio admin create-org'")
        user = accounts.create_user(session, args.email, password, org, args.role)
        return f"{user.email} is {args.role} of {args.org}"

    return _change_accounts(args, change)


def _set_password(args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from .accounts import accounts
    from .models import User

    password = sys.stdin.readline().rstrip("\r\n")
    email = args.email.strip().lower()

    def change(session: Any) -> str:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            raise accounts.AccountError(f"no one signs in as {email}")
        accounts.set_password(session, user, password)
        return f"new password for {email}; every session of theirs has ended"

    return _change_accounts(args, change)


def _register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from .roles import ROLES

    data_help = f"the studio's data folder (default: $KSTUDIO_DATA_DIR or {default_data()})"
    serve = sub.add_parser("serve", help="run the studio web app")
    serve.add_argument("--data", type=Path, help=data_help)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--workers", type=int, default=1, help="processes serving requests (more than 1: gunicorn)")
    serve.add_argument("--demo", action="store_true", help="make a demo organisation with the sample courses")
    serve.add_argument(
        "--queue", metavar="URL", help="redis://HOST:PORT/DB for a Redis job queue served by 'kstudio worker'"
    )
    serve.set_defaults(run=_serve)

    worker = sub.add_parser("worker", help="run the studio's background jobs (builds, media)")
    worker.add_argument("--data", type=Path, help=data_help)
    worker.add_argument("--queue", metavar="URL", help="redis://HOST:PORT/DB (default: the embedded queue)")
    worker.add_argument("--threads", type=int, default=2, help="jobs run at once (default: 2)")
    worker.set_defaults(run=_worker)

    admin = sub.add_parser("admin", help="manage organisations and people")
    admin_sub = admin.add_subparsers(dest="admin_command", required=True, metavar="ACTION")
    org = admin_sub.add_parser("create-org", help="create an organisation")
    org.add_argument("slug", metavar="SLUG")
    org.add_argument("--name", required=True)
    org.add_argument(
        "--catalogue",
        action="store_true",
        help="the organisation runs the marketplace catalogue (its reviewers review)",
    )
    org.add_argument("--data", type=Path, help=data_help)
    org.set_defaults(run=_create_org)
    user = admin_sub.add_parser("create-user", help="add a person to an organisation (password on standard input)")
    user.add_argument("email", metavar="EMAIL")
    user.add_argument("--org", required=True, metavar="SLUG")
    user.add_argument("--role", required=True, choices=ROLES)
    user.add_argument("--data", type=Path, help=data_help)
    user.set_defaults(run=_create_user)
    password = admin_sub.add_parser(
        "set-password", help="give a person a new password (on standard input) and end all their sessions"
    )
    password.add_argument("email", metavar="EMAIL")
    password.add_argument("--data", type=Path, help=data_help)
    password.set_defaults(run=_set_password)


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None:  # the command line: fewer collections from the first import on (packager/__main__.py)
        gc.set_threshold(20_000, 10, 10)
    from packager import __main__ as packager_cli

    if _register not in packager_cli.EXTRA_COMMANDS:
        packager_cli.EXTRA_COMMANDS.append(_register)
    return packager_cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
