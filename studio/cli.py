"""``kstudio`` with the studio's commands added (``serve``); the rest comes from ``packager``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from packager import __main__ as packager_cli


def _serve(args: argparse.Namespace) -> int:
    from . import create_app

    config = {"COURSES_DIR": str(args.data.resolve())} if args.data else None
    app = create_app(None)
    if config:
        app.config.update(config)
    print(f"Karmayogi Studio on http://{args.host}:{args.port}/ (courses in {app.config['COURSES_DIR']})")
    app.run(host=args.host, port=args.port, debug=False, use_reloader=False)
    return 0


def _register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = sub.add_parser("serve", help="run the studio web app")
    serve.add_argument("--data", type=Path, help="folder of course folders (default: the sample courses)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.set_defaults(run=_serve)


def main(argv: Sequence[str] | None = None) -> int:
    if _register not in packager_cli.EXTRA_COMMANDS:
        packager_cli.EXTRA_COMMANDS.append(_register)
    return packager_cli.main(argv)


if __name__ == "__main__":
    sys.exit(main())
