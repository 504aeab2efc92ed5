"""The models of the integrations app, one module per joint; each is imported here so that Django finds it."""

from .national_catalogue import CatalogueApplication, CatalogueComparison

__all__ = ["CatalogueApplication", "CatalogueComparison"]
