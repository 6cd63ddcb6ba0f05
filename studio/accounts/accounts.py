"""People and organisations: creating them, checking passwords, slowing down password guessing, and the
sessions of signed-in browsers (rows the server can delete, so signing out really ends a session)."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from ..models import ROLES, CourseRecord, LoginAttempt, Membership, Organisation, User, UserSession, now

_hasher = PasswordHasher()
# A hash to verify against when the e-mail is unknown, so both cases take the same time
_DUMMY_HASH = _hasher.hash("not a password anyone has")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD = 10


class AccountError(ValueError):
    """Bad input for an account or organisation; the message says what to change."""


def create_org(session: Session, slug: str, name: str) -> Organisation:
    if not SLUG.match(slug):
        raise AccountError(f"'{slug}' is not a usable short name: use 2-63 lower-case letters, digits and '-'")
    if session.scalar(select(Organisation).where(Organisation.slug == slug)):
        raise AccountError(f"an organisation '{slug}' exists already")
    org = Organisation(slug=slug, name=name.strip() or slug)
    session.add(org)
    session.flush()
    return org


def create_user(session: Session, email: str, password: str, org: Organisation, role: str, name: str = "") -> User:
    """A new person (or an existing one) made a member of *org* with *role*."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError(f"'{email}' is not an e-mail address")
    if role not in ROLES:
        raise AccountError(f"unknown role '{role}'; roles: {', '.join(ROLES)}")
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        _check_password(password)
        user = User(email=email, name=name or email.split("@")[0], password_hash=_hasher.hash(password))
        session.add(user)
        session.flush()
    existing = session.scalar(
        select(Membership).where(Membership.user_id == user.id, Membership.organisation_id == org.id)
    )
    if existing:
        existing.role = role
    else:
        session.add(Membership(user_id=user.id, organisation_id=org.id, role=role))
    session.flush()
    return user


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")


def set_password(session: Session, user: User, password: str) -> None:
    """A new password for *user*; every session they have is ended (a thief's too), as Django does."""
    _check_password(password)
    user.password_hash = _hasher.hash(password)
    end_sessions(session, user)


def authenticate(session: Session, email: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def attempt_keys(email: str, address: str) -> tuple[str, str]:
    """The two failure counters a sign-in adds to: this account from this client address (Django-axes'
    ``["username", "ip_address"]``), and this address over all accounts (password spraying). There is no
    counter for the account alone: someone guessing from elsewhere must never lock its owner out."""
    account = hashlib.sha256(email.encode()).hexdigest()  # a fixed length, and no address book of typos
    return f"pair:{address}:{account}", f"ip:{address}"


def too_many_attempts(session: Session, limits: dict[str, int], window: int) -> bool:
    """True when any key (e-mail, client address) failed its limit of times in the last *window* seconds."""
    since = now() - dt.timedelta(seconds=window)
    for key, limit in limits.items():
        count = session.scalar(select(func.count()).where(LoginAttempt.key == key, LoginAttempt.at >= since))
        if (count or 0) >= limit:
            return True
    return False


def record_failure(session: Session, keys: list[str], window: int) -> None:
    session.add_all(LoginAttempt(key=key) for key in keys)
    # old attempts are forgotten as new ones come in: the table stays small without a cleaner
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < now() - dt.timedelta(seconds=window)))


def forget_failures(session: Session, key: str) -> None:
    session.execute(delete(LoginAttempt).where(LoginAttempt.key == key))


@dataclass(frozen=True)
class SignInLimits:
    """Failed sign-ins allowed per account and client address, per address, within *window* seconds."""

    per_account: int
    per_address: int
    window: int


class SignInRefused(Exception):
    """A sign-in that did not happen: too many failures (``paused``), else a wrong e-mail or password."""

    def __init__(self, paused: bool):
        super().__init__("too many failed sign-ins" if paused else "wrong e-mail or password")
        self.paused = paused


def sign_in(
    session: Session,
    email: str,
    password: str,
    *,
    address: str,
    user_agent: str,
    previous: str | None,
    limits: SignInLimits,
    idle_seconds: int,
) -> tuple[User, str]:
    """Check a sign-in and start its session: (the person, the new session's key). The session *previous*
    (this browser's, when it signs in again) ends. Failures are counted (committed before raising, so
    they count however the caller answers) and raise :class:`SignInRefused`."""
    user, pair = _counted_authenticate(session, email, password, address, limits)
    forget_failures(session, pair)
    if previous is not None:
        end_session(session, previous)
    key = start_session(session, user, user_agent, idle_seconds)
    session.commit()
    return user, key


def _counted_authenticate(
    session: Session, email: str, password: str, address: str, limits: SignInLimits
) -> tuple[User, str]:
    """(the person, this account-and-address failure key) when *password* is theirs and no counter is
    over its limit; a failure is counted (committed before raising, so it counts however the caller
    answers) and raises :class:`SignInRefused`."""
    pair, by_address = attempt_keys(email, address)
    counters = {pair: limits.per_account, by_address: limits.per_address}
    if too_many_attempts(session, counters, limits.window):
        raise SignInRefused(paused=True)
    user = authenticate(session, email, password)
    if user is None:
        record_failure(session, list(counters), limits.window)
        session.commit()
        raise SignInRefused(paused=False)
    return user, pair


def change_password(
    session: Session,
    user: User,
    current: str,
    new: str,
    *,
    address: str,
    user_agent: str,
    limits: SignInLimits,
    idle_seconds: int,
) -> str:
    """*user*'s own new password, given their current one: every session of theirs ends (a thief's on
    another device too) and this browser gets a new one, whose key is returned. A wrong current password
    counts as a failed sign-in (the same limits: a session left open must not be a way to guess it) and
    raises :class:`SignInRefused`; a new password too short raises :class:`AccountError`."""
    _counted_authenticate(session, user.email, current, address, limits)
    set_password(session, user, new)
    key = start_session(session, user, user_agent, idle_seconds)
    session.commit()
    return key


# --- sessions -------------------------------------------------------------------------------------------


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()  # a copy of the database holds no usable session


def start_session(session: Session, user: User, user_agent: str, idle_seconds: int) -> str:
    """A new session for *user*: its random key, for the signed cookie. Sessions unused for
    *idle_seconds* are deleted here, so the table stays small without a cleaner."""
    session.execute(delete(UserSession).where(UserSession.last_seen < now() - dt.timedelta(seconds=idle_seconds)))
    key = secrets.token_urlsafe(32)
    session.add(UserSession(key_hash=_key_hash(key), user_id=user.id, user_agent=user_agent[:200]))
    session.flush()
    return key


def live_session(session: Session, key: str, user_id: int, idle_seconds: int) -> UserSession | None:
    """The session whose key is *key*, if it still exists, belongs to *user_id* and was used within
    *idle_seconds*; else None (signed out, ended by a new password, or left unused too long)."""
    row = session.scalar(select(UserSession).where(UserSession.key_hash == _key_hash(key)))
    if row is None or row.user_id != user_id or row.last_seen < now() - dt.timedelta(seconds=idle_seconds):
        return None
    return row


def touch_session(session: Session, row: UserSession, every_seconds: int) -> bool:
    """Note that *row* is in use, at most every *every_seconds* (not a write for every request of a busy
    editor); True when there is something to commit."""
    if now() - row.last_seen < dt.timedelta(seconds=every_seconds):
        return False
    session.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen=now()))
    return True


def end_session(session: Session, key: str) -> None:
    session.execute(delete(UserSession).where(UserSession.key_hash == _key_hash(key)))


def end_sessions(session: Session, user: User) -> None:
    """Sign *user* out everywhere (a new password; an account taken away)."""
    session.execute(delete(UserSession).where(UserSession.user_id == user.id))


# --- organisations and their members --------------------------------------------------------------------


def memberships(session: Session, user_id: int) -> list[Membership]:
    return list(session.scalars(select(Membership).where(Membership.user_id == user_id)))


def members(session: Session, org: Organisation) -> list[tuple[User, str]]:
    """(person, role) of every member of *org*, by e-mail."""
    rows = session.execute(
        select(User, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == org.id)
        .order_by(User.email)
    )
    return [(user, role) for user, role in rows]


def role_in(session: Session, org_slug: str | None, user_id: int) -> tuple[Organisation, str] | None:
    """(the organisation *org_slug*, the person's role there), or None when they are not a member."""
    org = session.scalar(select(Organisation).where(Organisation.slug == org_slug))
    if org is None:
        return None
    role = session.scalar(
        select(Membership.role).where(Membership.organisation_id == org.id, Membership.user_id == user_id)
    )
    return (org, role) if role is not None else None


def course_of(session: Session, org: Organisation, slug: str) -> CourseRecord | None:
    """The course *slug* of *org* (the course of a URL)."""
    return session.scalar(select(CourseRecord).where(CourseRecord.organisation_id == org.id, CourseRecord.slug == slug))


def holder(
    session: Session, user_id: object, org_id: object, session_id: object
) -> tuple[User, Organisation | None, str | None] | None:
    """Who a content link was signed for, checked afresh: (person, the link's organisation, their role
    there), while that person's studio session *session_id* still exists; None once it has ended."""
    user = session.get(User, user_id)
    signed_in = session.get(UserSession, session_id) if isinstance(session_id, int) else None
    if signed_in is None or user is None or signed_in.user_id != user.id:
        return None
    org = session.get(Organisation, org_id)
    role = (
        session.scalar(
            select(Membership.role).where(Membership.user_id == user.id, Membership.organisation_id == org.id)
        )
        if org is not None and user.is_active
        else None
    )
    return user, org, role
