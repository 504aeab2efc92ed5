"""The models of the integrations app, one module per joint; each is imported here so that Django finds it."""

from .vneid import VneidIdentity

__all__ = ["VneidIdentity"]
