"""Personal data in course text: mobile and landline numbers, Aadhaar-like numbers, PAN, e-mail addresses.

Every pattern is fixed-width or delimited (no nested quantifiers, no quantified group that can match the
same text two ways), and starts only where a run of its characters starts (a look-behind), so a hostile
100 KB line is scanned in linear time. Digits of any script count (``९८७६५४३२१०`` is a mobile number too):
the text is first mapped to ASCII digits one character for one, so columns do not move.

What is not personal data is left alone: toll-free numbers (``1800 11 8000``), dates, prices with
Indian or Western grouping, ISBNs (13 digits, or 10 after ``ISBN``), a 12-digit number that fails
Aadhaar's Verhoeff check, addresses at domains reserved for examples (RFC 2606: ``example.org``,
``*.test``).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Literal

from ..errors import Severity

Kind = Literal["mobile", "landline", "aadhaar", "pan", "email"]

_MOBILE = re.compile(
    r"(?<![\w+-])(?:(?:\+91|0091|91)[ -]?|0)?"  # country or trunk prefix
    r"(?:[6-9]\d{4}[ -]?\d{5}|[6-9]\d{2}[ -]\d{3}[ -]\d{4})(?![\w-])"
)
_LANDLINE = re.compile(r"(?<![\w+-])(?:\+91[ -]?|0)[1-9]\d{1,3}[ -]\d{6,8}(?![\w-])")
_AADHAAR = re.compile(r"(?<![\w-])[2-9]\d{3}([ -]?)\d{4}\1\d{4}(?![\w-])")
_PAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{3}[ABCFGHJLPT][A-Z]\d{4}[A-Z](?![A-Za-z0-9])")
_EMAIL = re.compile(r"(?<![\w.%+-])[\w.%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63}){1,8}(?![\w-])")
_ISBN_BEFORE = re.compile(r"isbn(?:-1[03])?:?\s*$", re.IGNORECASE)

EXAMPLE_DOMAINS = ("example.com", "example.org", "example.net")
EXAMPLE_SUFFIXES = (".example", ".test", ".invalid", ".localhost")
FREE_MAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.in", "yahoo.in", "ymail.com", "rediffmail.com",
        "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com", "aol.com", "protonmail.com",
        "proton.me", "zoho.com", "gmx.com", "mail.com",
    }
)  # fmt: skip
"""Mailboxes at these providers belong to a person, never to an office."""


@dataclass(frozen=True)
class Finding:
    kind: Kind
    text: str
    """The matched text, masked but for its last four characters (a report must not repeat the data)."""
    column: int
    severity: Severity
    why: str


@cache
def _digit_table() -> dict[int, int]:
    return {c: ord(str(unicodedata.digit(chr(c)))) for c in range(sys.maxunicode + 1) if chr(c).isdecimal()}


def ascii_digits(text: str) -> str:
    """*text* with every decimal digit of any script as its ASCII digit; the same length.

    >>> ascii_digits("फ़ोन ९८७६५ ४३२१०")
    'फ़ोन 98765 43210'
    """
    return text.translate(_digit_table()) if not text.isascii() else text


def find(text: str) -> list[Finding]:
    """Every personal-data pattern in *text* (one line or one catalog entry), in order.

    >>> [f.kind for f in find("Call 98765 43210 or write to a.sharma@gmail.com; helpline 1800 11 8000")]
    ['mobile', 'email']
    >>> find("On 12-06-2026 it cost ₹9,87,654; ISBN 978-81-7525-766-5; ISBN 8175257660")
    []
    """
    plain = ascii_digits(text)
    found = [*_mobiles(plain), *_landlines(plain), *_aadhaar(plain), *_pans(plain), *_emails(plain)]
    return sorted(found, key=lambda f: f.column)


def _mask(text: str) -> str:
    keep = 4 if len(text) > 6 else 1
    return "".join("•" if c.isalnum() else c for c in text[:-keep]) + text[-keep:]


def _mobiles(text: str) -> Iterator[Finding]:
    for m in _MOBILE.finditer(text):
        if _ISBN_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            continue
        yield Finding("mobile", _mask(m.group()), m.start(), "error", "a mobile number")


def _landlines(text: str) -> Iterator[Finding]:
    for m in _LANDLINE.finditer(text):
        digits = sum(c.isdigit() for c in m.group())
        if digits == 11 or (m.group().startswith("+91") and digits == 12):  # STD code and number: ten digits
            yield Finding(
                "landline",
                _mask(m.group()),
                m.start(),
                "warning",
                "a telephone number: fine for an office, not a person's",
            )


def _aadhaar(text: str) -> Iterator[Finding]:
    for m in _AADHAAR.finditer(text):
        if verhoeff_valid("".join(c for c in m.group() if c.isdigit())):
            yield Finding("aadhaar", _mask(m.group()), m.start(), "error", "an Aadhaar number")


def _pans(text: str) -> Iterator[Finding]:
    for m in _PAN.finditer(text):
        yield Finding("pan", _mask(m.group()), m.start(), "error", "a PAN (permanent account number)")


def _emails(text: str) -> Iterator[Finding]:
    for m in _EMAIL.finditer(text):
        domain = m.group().rsplit("@", 1)[1].lower()
        if domain in EXAMPLE_DOMAINS or domain.endswith(EXAMPLE_SUFFIXES):
            continue
        if domain in FREE_MAIL:
            yield Finding("email", _mask(m.group()), m.start(), "error", "a personal e-mail address")
        else:
            yield Finding(
                "email",
                _mask(m.group()),
                m.start(),
                "warning",
                "an e-mail address: fine for an office's mailbox, not a person's",
            )


# Verhoeff's dihedral-group tables, as UIDAI uses for the last digit of an Aadhaar number.
_D = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
    [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
    [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
    [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
    [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
    [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
    [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
    [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
    [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
]
_P = [
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
    [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
    [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
    [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
    [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
    [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
    [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
    [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
]


def verhoeff_valid(digits: str) -> bool:
    """Whether *digits* end in their Verhoeff check digit.

    >>> verhoeff_valid("2363"), verhoeff_valid("2364")
    (True, False)
    """
    check = 0
    for i, digit in enumerate(reversed(digits)):
        check = _D[check][_P[i % 8][int(digit)]]
    return check == 0
