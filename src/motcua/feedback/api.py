"""``/api/v1/feedback``: list and search (staff), detail, submission, and one operation per registered
action."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["feedback"])
