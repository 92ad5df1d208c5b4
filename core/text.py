"""What text people send may contain.

Two rules, each in one place: no request carries control characters at all (refused by
`core.middleware.InputHygieneMiddleware` before any form, API schema or query sees them), and
names printed on certificates, the registry and verification pages contain only visible
characters (`validate_name`, on the model fields, and so in every form, the admin and the API)."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 and C1 control characters except tab, line feed and carriage return (which textareas
# send), and lone surrogates (which no database encoding can store). PostgreSQL refuses NUL in
# text outright; the others are never typed by a person.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# In HTTP header values (cookies, tokens) the raw bytes arrive as Latin-1, so UTF-8 text shows
# C1 code points there: only C0 and DEL are controls (RFC 9110 allows tab).
_HEADER_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")

# Unicode categories a name never needs: controls, format characters (right-to-left overrides
# such as U+202E, zero-width spaces and joiners), surrogates, private use, unassigned, and line
# or paragraph separators. U+FFFD is what invalid UTF-8 decodes to.
_NAME_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_REPLACEMENT_CHARACTER = "\ufffd"


def code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def text_control_character(value: str) -> str | None:
    """The first control character in `value`, or None."""
    found = _CONTROL.search(value)
    return found.group() if found else None


def header_control_character(value: str) -> str | None:
    found = _HEADER_CONTROL.search(value)
    return found.group() if found else None


def name_refused_character(value: str) -> str | None:
    """The first character in `value` that a printed name may not contain, or None."""
    for character in value:
        if (character == _REPLACEMENT_CHARACTER
                or unicodedata.category(character) in _NAME_REFUSED_CATEGORIES):
            return character
    return None


def validate_name(value: str) -> None:
    """A person's or an organisation's name as shown publicly: visible characters only, so that
    what is printed is what was typed and no name can reorder or hide the text beside it."""
    character = name_refused_character(value)
    if character is not None:
        raise ValidationError(
            _("A name can contain only visible characters: remove the invisible, control or "
              "unreadable character (%(code_point)s) and type it again."),
            code="name_character",
            params={"code_point": code_point(character)},
        )
