"""Demo answers: a year of satisfaction answers for Sở Xây dựng, so that the results, the dashboards and the
exports have something to show. The per-dossier questionnaire from the link, the QR code and the kiosk
month by month, and a SIPAS survey on paper; generated with a fixed seed, so every run gives the same
figures (overall about 86%, the department's 21.56/25 of our first user's story, give or take); and the
desk counters a kiosk is set up at."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.accounts.choices import UnitKind
from motcua.accounts.models import OrgUnit, User
from motcua.catalogue.models import Procedure

from . import services
from .choices import Channel
from .models import Counter, Response

AGENCY = "000.00.22.H68"  # Sở Xây dựng (accounts.demo)
DESK_OFFICER = "binh"
COUNTERS = [("Q1", "Quầy 1"), ("Q2", "Quầy 2"), ("Q3", "Quầy 3")]
# How likely each score is, from 1 to 5: most people satisfied, a few not (about 86% at 4 or 5).
WEIGHTS = [3, 4, 7, 46, 40]


def _score(rng: random.Random) -> int:
    return rng.choices(range(1, 6), weights=WEIGHTS)[0]


def seed_counters() -> int:
    """Three counters at each demo agency that has a one-stop desk and at the service centre, so that a desk
    officer can set a kiosk up (``views.kiosk``); the number created."""
    desks = OrgUnit.objects.filter(kind=UnitKind.DESK).select_related("parent")
    agencies = {d.agency() for d in desks} | set(OrgUnit.objects.filter(kind=UnitKind.SERVICE_CENTRE))
    created = 0
    for agency in sorted((a for a in agencies if a is not None), key=lambda a: a.code):
        for code, name in COUNTERS:
            _, made = Counter.objects.get_or_create(unit=agency, code=code, defaults={"name": name})
            created += made
    return created


def seed(stdout: Any) -> None:
    created = seed_counters()
    if created:
        stdout.write(f"Demo surveys: {created} desk counters.\n")
    agency = OrgUnit.objects.filter(code=AGENCY).first()
    if agency is None:
        return
    if Response.objects.filter(unit=agency).exclude(channel=Channel.LEGACY).exists():
        return
    officer = User.objects.filter(username=DESK_OFFICER).first()
    procedures = list(Procedure.objects.filter(code__in=["1.013236", "1.013238", "1.013239"])
                      .values_list("code", flat=True)) or [""]
    dossier_form = services.current("dossier")
    sipas = services.current("sipas")
    rng = random.Random(766)  # noqa: S311 - demo data, not security
    today = timezone.localdate()
    count = 0
    with transaction.atomic():
        for back in range(12, 0, -1):
            month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            for _ in range(back - 1):
                month = (month - dt.timedelta(days=1)).replace(day=1)
            if dossier_form is not None:
                for i in range(rng.randint(25, 45)):
                    channel = rng.choice([Channel.LINK, Channel.LINK, Channel.QR, Channel.KIOSK])
                    values: dict[str, int | None] = {c: _score(rng) for c in ("time", "visits", "attitude", "overall")}
                    where = services.Where(
                        unit=agency, month=month, procedure_code=rng.choice(procedures),
                        officer=officer, desk=rng.choice(COUNTERS)[0] if channel == Channel.KIOSK else "")
                    comment = "Cán bộ hướng dẫn tận tình." if i % 17 == 0 else ""
                    services.record(dossier_form, services.Answers(values, comment=comment), where, channel)
                    count += 1
        if sipas is not None:
            criteria = list(sipas.criteria.values_list("code", flat=True))
            month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
            for _ in range(120):
                values = {c: _score(rng) for c in criteria}
                if rng.random() < 0.3:  # feedback questions are "not applicable" to many
                    values.update({"5.2": None, "5.3": None})
                services.record(sipas, services.Answers(values), services.Where(unit=agency, month=month),
                                Channel.PAPER)
                count += 1
    stdout.write(f"Demo surveys: {count} answers for {agency.name}.\n")


