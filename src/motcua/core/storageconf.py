"""``MOTCUA_STORAGE_URL``: where uploaded and issued files live, as one address (docs/operations.md).

A province runs several app servers, so the files every one of them writes must be seen by the others: an
S3-compatible object store through django-storages (DESIGN.md § Scale). The address names the bucket and the
endpoint; the keys come from the usual ``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY`` (or the address's user
part, for a development store), so that a secret need not sit in a URL that is printed in logs.

    s3://motcua-files?endpoint_url=https://s3.example.gov.vn&region_name=hn-1&location=prod
    file:///srv/motcua/media

Read by settings.py before Django is set up: no Django imports beyond the exception.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

S3_BACKEND = "storages.backends.s3.S3Storage"
FILE_BACKEND = "django.core.files.storage.FileSystemStorage"

# The query parameters passed on to S3Storage, and how to read each. Anything else is a mistake the
# operator should hear about at start-up, not a setting silently ignored.
_S3_OPTIONS: dict[str, type] = {
    "endpoint_url": str,
    "region_name": str,
    "location": str,
    "addressing_style": str,
    "signature_version": str,
    "verify": bool,
    "use_ssl": bool,
    "max_memory_size": int,
    "querystring_expire": int,
    "connect_timeout": int,
    "read_timeout": int,
    "max_attempts": int,
}
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


def _value(name: str, raw: str, kind: type) -> Any:
    if kind is bool:
        if raw.lower() in _TRUE:
            return True
        if raw.lower() in _FALSE:
            return False
        raise ImproperlyConfigured(f"MOTCUA_STORAGE_URL: {name}={raw!r} must be true or false.")
    if kind is int:
        try:
            return int(raw)
        except ValueError:
            raise ImproperlyConfigured(f"MOTCUA_STORAGE_URL: {name}={raw!r} must be a whole number.") from None
    return raw


def parse(url: str) -> dict[str, Any]:
    """The ``STORAGES["default"]`` entry for ``url``: ``{"BACKEND": ..., "OPTIONS": {...}}``."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        if not parts.path or parts.netloc:
            raise ImproperlyConfigured("MOTCUA_STORAGE_URL: a file address is file:///absolute/folder.")
        return {"BACKEND": FILE_BACKEND, "OPTIONS": {"location": unquote(parts.path)}}
    if parts.scheme != "s3":
        raise ImproperlyConfigured(
            f"MOTCUA_STORAGE_URL must start with s3:// or file:///, not {parts.scheme or url!r}.")
    bucket = parts.hostname or ""
    # S3's bucket rules: 3-63 characters, lower-case letters, digits, dots and hyphens.
    if not (3 <= len(bucket) <= 63) or not all(ch.islower() or ch.isdigit() or ch in ".-" for ch in bucket):
        raise ImproperlyConfigured(f"MOTCUA_STORAGE_URL: {bucket!r} is not a valid bucket name.")
    options: dict[str, Any] = {
        "bucket_name": bucket,
        # Personal data: nothing is public. The app serves every file itself, after its permission checks
        # (dossiers/serving.py), so no object needs a public ACL or a long-lived URL.
        "default_acl": None,
        "querystring_auth": True,
        "file_overwrite": False,
    }
    for name, raw in parse_qsl(parts.query, keep_blank_values=True):
        if name not in _S3_OPTIONS:
            known = ", ".join(sorted(_S3_OPTIONS))
            raise ImproperlyConfigured(f"MOTCUA_STORAGE_URL: unknown option {name!r} (known: {known}).")
        options[name] = _value(name, raw, _S3_OPTIONS[name])
    if parts.username:
        options["access_key"] = unquote(parts.username)
        options["secret_key"] = unquote(parts.password or "")
    # A store that does not answer must fail the request quickly and clearly (the intake answers "try again"),
    # not hold an app server's worker for botocore's default minute and its retries.
    connect = options.pop("connect_timeout", 5)
    read = options.pop("read_timeout", 30)
    attempts = options.pop("max_attempts", 3)
    from botocore.config import Config  # django-storages' own dependency, imported only when S3 is asked for

    # With a client_config, S3Storage ignores its own addressing_style and signature_version: carry them here.
    extra: dict[str, Any] = {}
    if "addressing_style" in options:
        extra["s3"] = {"addressing_style": options.pop("addressing_style")}
    if "signature_version" in options:
        extra["signature_version"] = options.pop("signature_version")
    options["client_config"] = Config(connect_timeout=connect, read_timeout=read,
                                      retries={"max_attempts": attempts, "mode": "standard"}, **extra)
    return {"BACKEND": S3_BACKEND, "OPTIONS": options}
