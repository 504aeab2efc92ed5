"""Shared fixtures: the personas of DESIGN.md on a small organisation tree.

An (citizen), Bình (desk officer, Sở Xây dựng), Cường (specialist), Dung (division head),
Giang (director), Hà (administrator), Khánh (officer of another agency), Thành (inspector).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections
from django.test import Client

from motcua.accounts import services
from motcua.accounts.choices import Role, UnitKind
from motcua.accounts.models import OrgUnit, User


@pytest.fixture(scope="session", autouse=True)
def _flush_may_delete_events():  # type: ignore[no-untyped-def]
    """SQLite's flush (after a transactional test) deletes every table's rows; the event table's DELETE trigger
    lets it through only inside ``events.deletable`` (migration 0026). PostgreSQL flushes with TRUNCATE."""
    from django.db import connection

    from motcua.dossiers.events import deletable

    if connection.vendor != "sqlite":
        yield
        return
    operations = type(connection.ops)
    original = operations.execute_sql_flush

    def execute_sql_flush(self, sql_list):  # type: ignore[no-untyped-def]
        with deletable(self.connection):
            return original(self, sql_list)

    operations.execute_sql_flush = execute_sql_flush
    yield
    operations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _audit_checkpoints_apart(settings, tmp_path_factory):  # type: ignore[no-untyped-def]
    # Each test's audit checkpoints in a directory of its own (created only if a checkpoint is written), never
    # the installation's var/.
    settings.MOTCUA_AUDIT_CHECKPOINT_DIR = tmp_path_factory.getbasetemp() / f"audit-{next(_CHECKPOINT_DIRS)}"


_CHECKPOINT_DIRS = itertools.count()


@pytest.fixture(autouse=True)
def _fast_hashing(settings):  # type: ignore[no-untyped-def]
    # Argon2 is deliberately slow; tests only need a correct hasher.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.AXES_ENABLED = False
    settings.LANGUAGE_CODE = "vi"


def _unit(parent: OrgUnit | None, name: str, code: str, kind: str) -> OrgUnit:
    return services.save_unit(OrgUnit(parent=parent, name=name, short_name=name[:20], code=code, kind=kind))


@pytest.fixture
def org(db):  # type: ignore[no-untyped-def]
    province = _unit(None, "UBND tỉnh Lâm Đồng", "T.H68", UnitKind.PROVINCE)
    sxd = _unit(province, "Sở Xây dựng", "T.SXD", UnitKind.AGENCY)
    other = _unit(province, "Sở Nông nghiệp và Môi trường", "T.SNN", UnitKind.AGENCY)
    return {
        "province": province,
        "sxd": sxd,
        "desk": _unit(sxd, "Bộ phận Một cửa Sở Xây dựng", "T.SXD.MC", UnitKind.DESK),
        "division": _unit(sxd, "Phòng Quản lý hoạt động xây dựng", "T.SXD.P2", UnitKind.DIVISION),
        "division2": _unit(sxd, "Phòng Quy hoạch - Kiến trúc", "T.SXD.P4", UnitKind.DIVISION),
        "other": other,
        "other_division": _unit(other, "Phòng Đất đai", "T.SNN.P2", UnitKind.DIVISION),
    }


def _person(username: str, full_name: str, unit: OrgUnit | None, *roles: str, **extra: object) -> User:
    user = User.objects.create_user(username=username, password="mat-khau-dai-1", full_name=full_name,
                                    unit=unit, **extra)  # type: ignore[arg-type]
    for role in roles:
        services.assign_role(user, role, unit if role not in (Role.CITIZEN, Role.ADMINISTRATOR, Role.INSPECTOR)
                             else None)
    return user


@pytest.fixture
def people(org):  # type: ignore[no-untyped-def]
    return {
        "an": _person("an", "Nguyễn Văn An", None, Role.CITIZEN),
        "binh": _person("binh", "Trần Thị Bình", org["desk"], Role.DESK_OFFICER),
        "cuong": _person("cuong", "Lê Văn Cường", org["division"], Role.SPECIALIST),
        "dung": _person("dung", "Phạm Thị Dung", org["division"], Role.DIVISION_HEAD, Role.SPECIALIST),
        "giang": _person("giang", "Hoàng Văn Giang", org["sxd"], Role.AGENCY_LEADER),
        "ha": _person("ha", "Vũ Thị Hà", None, Role.ADMINISTRATOR, is_staff=True, is_superuser=True),
        "khanh": _person("khanh", "Đỗ Văn Khánh", org["other_division"], Role.SPECIALIST),
        "thanh": _person("thanh", "Bùi Văn Thành", None, Role.INSPECTOR),
    }


@pytest.fixture
def client_for(people):  # type: ignore[no-untyped-def]
    """``client_for("binh")`` is a test client logged in as Bình."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(people[username])
        return client

    return make


@pytest.fixture
def token_for(people):  # type: ignore[no-untyped-def]
    """``token_for("binh")`` is the ``Authorization`` header value of a fresh token for Bình."""

    def make(username: str) -> str:
        _, clear = services.create_token(people[username], "test")
        return f"Bearer {clear}"

    return make


def at_once(n: int, work: Callable[[], Any]) -> tuple[list[Any], list[BaseException]]:
    """Run ``work`` in ``n`` threads released together (each with its own database connection, closed after);
    return what the calls returned and what they raised."""
    barrier = threading.Barrier(n)
    results: list[Any] = []
    errors: list[BaseException] = []

    def one() -> None:
        try:
            barrier.wait(timeout=120)
            results.append(work())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


@pytest.fixture
def run(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """``run(f, *args)``: call ``f`` and what it defers to the commit (the dispatcher's handlers, the
    calendar's announce, the deliveries)."""

    def call(f, *args, **kwargs):  # type: ignore[no-untyped-def]
        with django_capture_on_commit_callbacks(execute=True):
            return f(*args, **kwargs)

    return call
