"""Password validators of motcua (settings.AUTH_PASSWORD_VALIDATORS).

Django's ``UserAttributeSimilarityValidator`` let "nguyenvanan1" through for Nguyễn Văn An (issue 21, finding 9):
it compares with ``first_name``/``last_name``/``email`` (this project keeps the name in ``full_name`` and the
phone in ``phone``), and it compares letter by letter with the marks, so "Nguyễn" and "nguyen" differ.
``PersonalInformationValidator`` folds both sides (``fold_vi``: no marks, đ→d, case-insensitive), keeps only the
letters of the password, and refuses one that holds the person's name or contact.
"""

from __future__ import annotations

import re
from itertools import permutations
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from motcua.core.text import fold_vi

_NOT_LETTER = re.compile(r"[^a-z]")
_NOT_ALNUM = re.compile(r"[^a-z0-9]")
_NOT_DIGIT = re.compile(r"\D")


def name_fragments(full_name: str, shortest: int = 4) -> set[str]:
    """What a password must not contain of a name, folded and without spaces: the whole name, and every two of its
    words in either order ("Nguyễn Văn An" → nguyenvanan, nguyenan, annguyen, vanan, nguyenvan, ...) of at least
    ``shortest`` letters."""
    words = [w for w in (_NOT_LETTER.sub("", part) for part in fold_vi(full_name or "").split()) if w]
    fragments = {"".join(words)} if len("".join(words)) >= shortest else set()
    fragments.update(a + b for a, b in permutations(words, 2) if len(a + b) >= shortest)
    return fragments


class PersonalInformationValidator:
    """Refuse a password that holds the person's name (see ``name_fragments``), or is only one word of it with
    digits and symbols ("Chi@19901990" for Lê Thị Chi), or holds the local part of their e-mail, their phone
    number (its last nine digits) or their user name."""

    def __init__(self, shortest: int = 4) -> None:
        self.shortest = shortest

    def validate(self, password: str, user: Any = None) -> None:
        if user is None:
            return
        folded = fold_vi(password or "")
        letters, alnum, digits = _NOT_LETTER.sub("", folded), _NOT_ALNUM.sub("", folded), _NOT_DIGIT.sub("", folded)
        full_name = str(getattr(user, "full_name", "") or "")
        words = {_NOT_LETTER.sub("", w) for w in fold_vi(full_name).split()}
        if any(f in letters for f in name_fragments(full_name, self.shortest)) or (letters and letters in words):
            raise ValidationError(_("The password must not contain your name."), code="password_has_name")
        for contact in (str(getattr(user, "email", "") or ""), str(getattr(user, "username", "") or "")):
            local = _NOT_ALNUM.sub("", fold_vi(contact.split("@", 1)[0]))
            if len(local) >= self.shortest and not local.isdigit() and local in alnum:
                raise ValidationError(_("The password must not contain your email address or user name."),
                                      code="password_has_contact")
        for number in (str(getattr(user, "phone", "") or ""), str(getattr(user, "username", "") or "")):
            number_digits = _NOT_DIGIT.sub("", number)
            if len(number_digits) >= 9 and number_digits[-9:] in digits:
                raise ValidationError(_("The password must not contain your phone number."),
                                      code="password_has_phone")

    def get_help_text(self) -> str:
        return _("Your password must not contain your name, email address or phone number.")
