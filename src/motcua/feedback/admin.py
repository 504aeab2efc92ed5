"""The feedback app in the admin (autodiscovered): the read-only items (``admin_items``)."""

from . import admin_items  # noqa: F401
