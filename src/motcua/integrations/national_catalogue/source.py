"""Reading the national procedure records: from a file, or over HTTP from ``MOTCUA_NATIONAL_CATALOGUE_URL``."""

from __future__ import annotations

import json
from typing import Any

import requests
from django.conf import settings
from django.utils.translation import gettext as _

from motcua.core.errors import DomainError


class SourceError(DomainError):
    """The national records could not be read: nothing is compared nor changed."""

    status = 502
    code = "national_catalogue_unavailable"


def read_file(path: str) -> Any:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return json.load(handle)
    except OSError as exc:
        raise SourceError(_("The file %(path)s cannot be read: %(reason)s")
                          % {"path": path, "reason": exc.strerror or exc}, status=400) from None
    except ValueError as exc:
        raise SourceError(_("The file %(path)s is not valid JSON: %(reason)s") % {"path": path, "reason": exc},
                          status=400) from None


def configured_url() -> str:
    return str(getattr(settings, "MOTCUA_NATIONAL_CATALOGUE_URL", "") or "")


def fetch(url: str | None = None) -> Any:
    """The JSON answer of the national database at ``url`` (default: the setting); ``SourceError`` if the
    service cannot be reached, answers late or with an error, or answers something that is not JSON."""
    url = url or configured_url()
    if not url:
        raise SourceError(_("No address of the national procedures database is configured "
                            "(MOTCUA_NATIONAL_CATALOGUE_URL)."), status=400)
    timeout = settings.MOTCUA_NATIONAL_CATALOGUE_TIMEOUT
    headers = {"Accept": "application/json", **dict(settings.MOTCUA_NATIONAL_CATALOGUE_HEADERS or {})}
    try:
        response = requests.get(url, timeout=timeout, headers=headers)
    except requests.Timeout:
        raise SourceError(_("The national procedures database did not answer within %(seconds)s seconds.")
                          % {"seconds": timeout}) from None
    except requests.RequestException as exc:
        raise SourceError(_("The national procedures database cannot be reached: %(reason)s")
                          % {"reason": type(exc).__name__}) from None
    if response.status_code >= 400:
        raise SourceError(_("The national procedures database answered with the error %(status)s.")
                          % {"status": response.status_code})
    try:
        return response.json()
    except ValueError:
        raise SourceError(_("The national procedures database did not answer with JSON.")) from None
