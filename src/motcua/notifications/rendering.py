"""Render a template's subject and body with Django's template language, as plain text.

A standalone engine without auto-escaping (the output is e-mail and SMS text, not HTML), rendered in the
message's language so that dates and numbers take its format.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.template import Context, Engine, TemplateSyntaxError
from django.utils import translation


class RenderError(Exception):
    """The template does not compile or fails with this context."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


@lru_cache(maxsize=1)
def engine() -> Engine:
    return Engine(
        autoescape=False,
        libraries={"humanize": "django.contrib.humanize.templatetags.humanize"},
    )


def check_syntax(source: str) -> None:
    try:
        engine().from_string(source)
    except TemplateSyntaxError as exc:
        raise RenderError(str(exc)) from exc


def render(subject: str, body: str, context: dict[str, Any], language: str) -> Rendered:
    try:
        with translation.override(language):
            subject_text = engine().from_string(subject).render(Context(context, autoescape=False))
            body_text = engine().from_string(body).render(Context(context, autoescape=False))
    except Exception as exc:  # a template is data edited in the admin: any failure is the template's
        raise RenderError(f"{type(exc).__name__}: {exc}") from exc
    return Rendered(" ".join(subject_text.split()), body_text.strip())
