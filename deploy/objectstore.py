"""An S3-compatible object store on this machine: moto's server (PyPI), over real HTTP.

In a province the files live in a managed object store (the cloud of the province's data centre, or MinIO/Ceph run
by its IT team); here moto's S3 server stands in for it, for ``make cluster`` and for the tests of
``MOTCUA_STORAGE_URL``. It keeps objects in memory: it is a model of the service, not a place to keep files.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from .common import ServiceError, free_port, stop_pid, wait_for_port

ACCESS_KEY = "motcua-dev"
SECRET_KEY = "motcua-dev-secret"  # noqa: S105 - the development store's key, not a secret
REGION = "us-east-1"


@dataclass
class ObjectStore:
    port: int
    bucket: str
    pid: int
    log: Path

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def storage_url(self) -> str:
        """The ``MOTCUA_STORAGE_URL`` of this store (the keys go in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)."""
        return f"s3://{self.bucket}?endpoint_url={self.endpoint}&region_name={REGION}&max_attempts=1&connect_timeout=2"

    @property
    def environment(self) -> dict[str, str]:
        return {"MOTCUA_STORAGE_URL": self.storage_url, "AWS_ACCESS_KEY_ID": ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def client(self):  # type: ignore[no-untyped-def]  # boto3's client has no static type
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION,
                            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)

    def keys(self, prefix: str = "") -> list[str]:
        pages = self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def stop(self) -> None:
        stop_pid(self.pid)


def start_s3(base_dir: Path, port: int | None = None, bucket: str = "motcua-files") -> ObjectStore:
    """Start moto's S3 server on ``port`` (a free one if None), create ``bucket``, and return the handle."""
    try:
        import moto.server  # noqa: F401 - only to say clearly that it is missing
    except ImportError as exc:
        raise ServiceError(f"moto's server is not installed (pip install -r requirements-dev.txt): {exc}") from exc
    base_dir.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    log = base_dir / "s3.log"
    with open(log, "ab") as out:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
            env={**os.environ, "MOTO_ALLOW_NONEXISTENT_REGION": "true"})
    wait_for_port(port, process, log, "The S3 server (moto)")
    store = ObjectStore(port=port, bucket=bucket, pid=process.pid, log=log)
    try:
        store.client().create_bucket(Bucket=bucket)
    except Exception:
        store.stop()
        raise
    return store
