"""Demo organisation and personas: the new Lâm Đồng province (code 68) after the 2025 merger.

The identifier codes below have the shape of Circular 10/2016/TT-BTTTT codes but are DEMO values:
load the official codes (Decision 20/2020/QĐ-TTg as amended by Decision 09/2025/QĐ-TTg) before go-live.
Passwords are random, kept only in var/demo-credentials.txt (never committed) and printed by ``make run``.
Staff sign in with a second factor (docs/security.md "Second factor for staff"): each staff persona gets an
authenticator (TOTP) whose random secret is kept in the same file, after the password; ``motcua democode
USERNAME`` prints the current code from it, or the secret can be typed into any authenticator app.
"""

from __future__ import annotations

import base64
import datetime as dt
import os
import secrets
from pathlib import Path
from typing import TextIO

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import services
from .choices import STAFF_ROLES, ApplicantKind, Role, UnitKind
from .models import OrgUnit, User

REORGANISED = dt.date(2025, 7, 1)  # the merged province exists from 01/07/2025

PROVINCE = ("UBND tỉnh Lâm Đồng", "UBND tỉnh", "000.00.00.H68")
AGENCIES = [
    # (name, short name, code)
    ("Văn phòng Ủy ban nhân dân tỉnh", "VP UBND", "000.00.01.H68"),
    ("Sở Nội vụ", "SNV", "000.00.02.H68"),
    ("Sở Tư pháp", "STP", "000.00.03.H68"),
    ("Sở Tài chính", "STC", "000.00.04.H68"),
    ("Sở Công Thương", "SCT", "000.00.05.H68"),
    ("Sở Nông nghiệp và Môi trường", "SNNMT", "000.00.06.H68"),
    ("Sở Xây dựng", "SXD", "000.00.22.H68"),
    ("Sở Khoa học và Công nghệ", "SKHCN", "000.00.08.H68"),
    ("Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL", "000.00.09.H68"),
    ("Sở Giáo dục và Đào tạo", "SGDĐT", "000.00.10.H68"),
    ("Sở Y tế", "SYT", "000.00.11.H68"),
    ("Sở Dân tộc và Tôn giáo", "SDTTG", "000.00.12.H68"),
    ("Sở Ngoại vụ", "SNgV", "000.00.13.H68"),
    ("Thanh tra tỉnh", "TTr", "000.00.14.H68"),
    ("Ban Quản lý các khu công nghiệp tỉnh", "BQL KCN", "000.00.15.H68"),
    ("Công an tỉnh", "CA", "000.00.16.H68"),
]
CONSTRUCTION_CODE = "000.00.22.H68"
CONSTRUCTION_DIVISIONS = [
    ("Văn phòng Sở", "VP", "001.00.22.H68", UnitKind.DIVISION),
    ("Phòng Quản lý hoạt động xây dựng", "P.QLHĐXD", "002.00.22.H68", UnitKind.DIVISION),
    ("Phòng Quản lý nhà và thị trường bất động sản", "P.QLN&BĐS", "003.00.22.H68", UnitKind.DIVISION),
    ("Phòng Quy hoạch - Kiến trúc", "P.QHKT", "004.00.22.H68", UnitKind.DIVISION),
    ("Phòng Quản lý vận tải, phương tiện và người lái", "P.QLVT", "005.00.22.H68", UnitKind.DIVISION),
    ("Bộ phận Một cửa Sở Xây dựng", "BPMC SXD", "006.00.22.H68", UnitKind.DESK),
]
ENVIRONMENT_DIVISION = ("Phòng Đất đai", "P.ĐĐ", "002.00.06.H68", UnitKind.DIVISION)
CENTRE = ("Trung tâm Phục vụ hành chính công tỉnh Lâm Đồng", "TTPVHCC", "000.00.99.H68")
# A ward of the province with its one-stop desk: it receives provincial dossiers and returns their results
# (different administrative levels), and, for the procedures on the published list, any dossier regardless of
# boundary (Decree 118/2025 Art. 14(4) as added by Decree 309/2026). The codes are the demo's own.
WARD = ("UBND phường Xuân Hương - Đà Lạt", "UBND P. Xuân Hương", "000.30.01.H68")
WARD_DESK = ("Bộ phận Một cửa phường Xuân Hương - Đà Lạt", "BPMC P. Xuân Hương", "001.30.01.H68")

PERSONAS = [
    # username, full name, unit code (None for a citizen), roles
    ("an", "Nguyễn Văn An", None, [Role.CITIZEN]),
    ("binh", "Trần Thị Bình", "006.00.22.H68", [Role.DESK_OFFICER]),
    ("cuong", "Lê Văn Cường", "002.00.22.H68", [Role.SPECIALIST]),
    ("dung", "Phạm Thị Dung", "002.00.22.H68", [Role.DIVISION_HEAD, Role.SPECIALIST]),
    ("giang", "Hoàng Văn Giang", CONSTRUCTION_CODE, [Role.AGENCY_LEADER]),
    ("ha", "Vũ Thị Hà", None, [Role.ADMINISTRATOR]),
    ("khanh", "Đỗ Văn Khánh", "002.00.06.H68", [Role.SPECIALIST]),
    ("lan", "Ngô Thị Lan", CENTRE[2], [Role.CENTRE_OFFICER]),
    ("thanh", "Bùi Văn Thành", None, [Role.INSPECTOR]),
    # The province's reform appraisal council sits at the Department of Home Affairs (indices.md §4).
    ("nga", "Đinh Thị Nga", "000.00.02.H68", [Role.APPRAISER]),
    # The ward's desk officer (different levels, receipt regardless of boundary).
    ("yen", "Lý Thị Yến", WARD_DESK[2], [Role.DESK_OFFICER]),
]
# The positions printed over the personas' signatures (``RoleAssignment.title``; Decree 30/2020 Art. 13).
TITLES = {("dung", Role.DIVISION_HEAD): "Trưởng phòng", ("giang", Role.AGENCY_LEADER): "Giám đốc",
          ("binh", Role.DESK_OFFICER): "Chuyên viên", ("cuong", Role.SPECIALIST): "Chuyên viên",
          ("khanh", Role.SPECIALIST): "Chuyên viên", ("yen", Role.DESK_OFFICER): "Công chức"}


def _unit(parent: OrgUnit | None, name: str, short: str, code: str, kind: str) -> OrgUnit:
    unit = OrgUnit.objects.filter(code=code).first()
    if unit is None:
        unit = OrgUnit(code=code, name=name, short_name=short, kind=kind, parent=parent, valid_from=REORGANISED)
        if kind in (UnitKind.AGENCY, UnitKind.DESK, UnitKind.SERVICE_CENTRE):
            unit.address = settings.MOTCUA_SITE["address"]
        services.save_unit(unit)
    return unit


def seed_organisation() -> OrgUnit:
    province = _unit(None, *PROVINCE, UnitKind.PROVINCE)
    agencies = {code: _unit(province, name, short, code, UnitKind.AGENCY) for name, short, code in AGENCIES}
    construction = agencies[CONSTRUCTION_CODE]
    for name, short, code, kind in CONSTRUCTION_DIVISIONS:
        _unit(construction, name, short, code, kind)
    _unit(agencies["000.00.06.H68"], *ENVIRONMENT_DIVISION)
    centre = _unit(province, *CENTRE, UnitKind.SERVICE_CENTRE)
    centre.receives_for.add(*agencies.values())
    ward = _unit(province, *WARD, UnitKind.COMMUNE)
    _unit(ward, *WARD_DESK, UnitKind.DESK)
    return province


def _credentials_file() -> Path:
    return Path(settings.MOTCUA_DEMO_CREDENTIALS_FILE)


def _read_lines() -> dict[str, list[str]]:
    """The file's lines, ``username password [TOTP secret in base32]``, by username."""
    path = _credentials_file()
    if not path.exists():
        return {}
    rows = (line.split(" ") for line in path.read_text(encoding="utf-8").splitlines() if " " in line)
    return {row[0]: row[1:] for row in rows}


def _read_credentials() -> dict[str, str]:
    return {user: rest[0] for user, rest in _read_lines().items()}


def read_totp_secrets() -> dict[str, str]:
    """The demo staff's TOTP secrets (base32), by username: what ``motcua democode`` computes codes from."""
    return {user: rest[1] for user, rest in _read_lines().items() if len(rest) > 1}


def _write_credentials(creds: dict[str, str], totp: dict[str, str]) -> None:
    path = _credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{u} {p}{' ' + totp[u] if u in totp else ''}\n" for u, p in creds.items()),
                    encoding="utf-8")
    os.chmod(path, 0o600)


def _demo_authenticator(user: User, secret: str | None) -> str:
    """A confirmed authenticator for a demo officer, kept from one run to the next (its secret is in the
    credentials file); returns the secret in base32."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and secret is not None and base64.b32encode(device.bin_key).decode() == secret:
        return secret
    TOTPDevice.objects.filter(user=user).delete()
    key = base64.b32decode(secret) if secret else secrets.token_bytes(20)
    TOTPDevice.objects.create(user=user, name=services.AUTHENTICATOR_NAME, key=key.hex(), confirmed=True)
    return base64.b32encode(key).decode()


def seed_personas() -> dict[str, str]:
    creds = _read_credentials()
    totp = read_totp_secrets()
    for username, full_name, unit_code, roles in PERSONAS:
        unit = OrgUnit.objects.get(code=unit_code) if unit_code else None
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, full_name=full_name, unit=unit, email=f"{username}@example.vn")
            if Role.CITIZEN in roles:
                user.applicant_kind = ApplicantKind.INDIVIDUAL
                user.phone = "0912345678"
            # Two accounts never share an e-mail or phone (identifiers): on a database where someone already
            # holds the demo's address, the persona goes without it rather than the seed failing.
            if User.objects.filter(email__iexact=user.email).exists():
                user.email = ""
            if user.phone and User.objects.filter(phone=user.phone).exists():
                user.phone = ""
            user.is_staff = Role.ADMINISTRATOR in roles
            user.is_superuser = Role.ADMINISTRATOR in roles
        if username not in creds:
            creds[username] = secrets.token_urlsafe(9)
            user.set_password(creds[username])
        user.save()
        for role in roles:
            services.assign_role(user, role, unit if role not in (Role.CITIZEN, Role.ADMINISTRATOR, Role.INSPECTOR)
                                 else None, title=TITLES.get((username, role), ""))
        if user.is_staff or set(roles) & STAFF_ROLES:
            totp[username] = _demo_authenticator(user, totp.get(username))
    _write_credentials({u: creds[u] for u, *_ in PERSONAS}, totp)
    return creds


def seed(stdout: TextIO) -> None:
    with transaction.atomic():
        seed_organisation()
        creds = seed_personas()
    stdout.write("Demo logins (username password) — also in var/demo-credentials.txt:\n")
    for username, full_name, _unit_code, roles in PERSONAS:
        stdout.write(f"  {username:<7} {creds[username]:<14} {full_name} ({', '.join(str(r.label) for r in roles)})\n")
    stdout.write("Staff then type a code from their authenticator: `motcua democode USERNAME` prints it (the secrets "
                 "are in var/demo-credentials.txt, after the passwords, for an authenticator app).\n")
