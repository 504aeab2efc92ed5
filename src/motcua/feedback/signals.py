"""Receivers that replace the feedback revision token (``selectors.revision_token``) on any save or deletion of a
feedback item: the public pages of published answers are kept under it (``motcua.core.pagecache``). The writes
that send no signal (``update()``, in ``demo.py``) bump it themselves."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from . import services
from .models import FeedbackItem


def bump(sender: type | None = None, **kwargs: Any) -> None:
    services.bump_revision()


def connect() -> None:
    post_save.connect(bump, sender=FeedbackItem, dispatch_uid="feedback_revision_save")
    post_delete.connect(bump, sender=FeedbackItem, dispatch_uid="feedback_revision_delete")
