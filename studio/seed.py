"""The demo a fresh ``kstudio serve --demo`` starts with: an organisation holding the sample courses
and an admin whose password is made once, kept beside the database (owner-only) and printed at start."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from . import DEFAULT_COURSES
from .accounts import accounts
from .authoring import library
from .db import session_for
from .models import Organisation

DEMO_ORG = "demo"
DEMO_EMAIL = "admin@demo.example"


def seed_demo(app: Flask) -> tuple[str, str]:
    """Create the demo (once); return the admin's e-mail and password."""
    data = Path(app.config["DATA_DIR"])
    secret = data / "demo-password"
    with app.app_context(), app.test_request_context():
        session = session_for(app)
        try:
            org = session.scalar(select(Organisation).where(Organisation.slug == DEMO_ORG))
            if org is None:
                org = accounts.create_org(session, DEMO_ORG, "Demo Training Institute")
                password = secrets.token_urlsafe(12)
                accounts.create_user(session, DEMO_EMAIL, password, org, "admin", name="Demo admin")
                session.commit()
                fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                with os.fdopen(fd, "w") as f:
                    f.write(password + "\n")
                for folder in sorted(DEFAULT_COURSES.iterdir()):
                    if (folder / "course.yml").is_file():
                        library.adopt(session, org, folder)
            password = secret.read_text("utf-8").strip() if secret.is_file() else "(set when the demo was made)"
        finally:
            session.close()
    return DEMO_EMAIL, password
