"""Demo dossiers: a few hundred construction-procedure dossiers received since 1 July 2026, each walked
through the real services with backdated instants (``at=``), so that every state is present — at the desk,
in appraisal (assigned or not, with opinions asked), at the head of division, at the director, waiting for
a supplement or a payment, done, returned early, on time or late, refused, withdrawn, apologised for.

Deterministic (fixed seed) and idempotent: nothing is added when the demo dossiers exist. No notice goes
to the applicants or the officers for this backdated history, and the statistics are not refreshed on each
event: the history is written inside ``dispatch.withhold()``, and the statistics demo step
(``motcua.stats.demo``, which runs later) rebuilds them once.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalogue.models import Procedure
from motcua.core.errors import DomainError

from . import deadlines, dispatch, services
from .choices import Channel, Status
from .models import Dossier
from .workflow import late
from .workflow import services as wf

CODES = ("1.013236", "1.013231", "1.013238", "1.013230", "1.013233", "1.013235")
START = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.timezone(dt.timedelta(hours=7)))
COUNT = 240  # "a few hundred" dossiers in every state; about 50 s through the services
BATCH = 50
AGENCY = "000.00.22.H68"
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Minh", "Ngọc", "Hữu", "Thanh", "Quốc", "Thu", "Đức", "Kim"]
GIVEN = ["An", "Bảo", "Chi", "Dũng", "Hà", "Hải", "Hạnh", "Hùng", "Khoa", "Lan", "Linh", "Long", "Mai", "Nam",
         "Nga", "Phúc", "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Vy", "Yến"]
PLACES = ["phường Xuân Hương - Đà Lạt", "phường Lâm Viên - Đà Lạt", "phường Bảo Lộc 1", "xã Đức Trọng",
          "phường Phan Thiết", "phường Gia Nghĩa", "xã Di Linh", "phường Mũi Né"]


class _Sim:
    """One dossier's life: each action at a later working instant, stopping at the present."""

    consult_unit = "000.00.06.H68"  # Sở Nông nghiệp và Môi trường

    def __init__(self, rng: random.Random, people: dict[str, User], now: dt.datetime) -> None:
        self.rng, self.p, self.now = rng, people, now

    def later(self, at: dt.datetime, low: float, high: float) -> dt.datetime:
        """``at`` plus a random working time between ``low`` and ``high`` working days (legal clock)."""
        hours = self.rng.uniform(low, high) * 8
        return deadlines.add_working(at, int(hours * 3600), AGENCY)

    def run(self, i: int, code: str) -> None:
        rng, p = self.rng, self.p
        span = max(0.1, deadlines.working_seconds_between(START, self.now, AGENCY) / 28800 - 0.05)
        # Two in five dossiers arrived in the last three weeks, so that every stage has work in it.
        low = max(0.0, span - 15) if rng.random() < 0.4 else 0.0
        received = self.later(START, low, span)
        name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
        place = rng.choice(PLACES)
        applicant = services.Applicant(name=name, id_number=f"0680{i:08d}", address=f"{rng.randint(1, 200)} "
                                       f"đường {rng.choice(['Trần Phú', 'Hùng Vương', 'Phan Đình Phùng'])}, "
                                       f"{place}, tỉnh Lâm Đồng", phone=f"09{rng.randint(10000000, 99999999)}")
        procedure = Procedure.objects.get(code=code)
        version_docs = procedure.versions.filter(valid_from__lte=received.date()).order_by("-valid_from").first()
        n_docs = version_docs.documents.count() if version_docs else 0
        data = services.Intake(procedure=code, applicant=applicant, subject=f"Xin {procedure.name[:200].lower()}",
                               documents=[services.DocumentInput(order=k) for k in range(1, n_docs + 1)],
                               channel=rng.choice([Channel.DESK, Channel.DESK, Channel.POST]))
        d = services.receive_at_desk(p["binh"], data, at=received)
        roll = rng.random()
        if roll < 0.03:
            return  # still at the desk (status 2)
        t = self.later(received, 0.02, 0.3)
        if t > self.now:
            return
        d = services.transfer(p["binh"], d, at=t)
        if roll < 0.05:
            t = self.later(t, 0.1, 1)
            if t < self.now:
                d = services.request_withdrawal(p["binh"], d, "Người nộp đề nghị rút hồ sơ", at=t)
                t = self.later(t, 0.1, 0.5)
                if t < self.now:
                    services.stop(p["binh"], d, "Theo đề nghị của người nộp", at=t)
            return
        specialist = p["cuong"] if rng.random() < 0.7 else p["dung"]
        t = self.later(t, 0.05, 0.5)
        if t > self.now:
            return
        if rng.random() < 0.8:
            wf.assign(p["dung"], d, specialist, at=t)
        else:
            wf.claim(specialist, d, at=t)
        if rng.random() < 0.25:  # an opinion of the environment department
            t = self.later(t, 0.2, 1)
            if t > self.now:
                return
            c = wf.consult(specialist, d, unit_code=self.consult_unit, question="Đề nghị cho ý kiến về sự phù hợp "
                           "với quy hoạch sử dụng đất của khu đất xây dựng.", at=t)
            answer_at = self.later(t, 0.3, 3)
            if answer_at < self.now and rng.random() < 0.6:
                wf.answer_consultation(p["khanh"], d, consultation_id=c.pk, answer="Thống nhất, phù hợp quy hoạch.",
                                       agrees=True, at=answer_at)
            late.tick(min(self.now, self.later(c.due_at, 0, 0.1)))
            t = max(t, c.answered_at or c.due_at)
        if roll > 0.9:  # a supplement during appraisal, within 3 working days
            t2 = max(t, self.later(received, 0.5, 2.5))
            if t2 > self.now:
                return
            if t2 <= deadlines.working_days_after(d.clock_start_at or received, 3, AGENCY):
                d = services.request_supplement(specialist, d, [services.MissingItem(
                    "Bản vẽ thiết kế", "Thiếu mặt cắt công trình, đề nghị bổ sung")], at=t2)
                t = self.later(t2, 1, 6)
                if t > self.now:
                    return
                d = services.submit_supplement(p["binh"], d, at=t)
        slow = roll > 0.8
        t = self.later(t, 3.5, 5.5) if slow else self.later(t, 0.8, 3.5)
        d.refresh_from_db()
        if slow and d.due_at is not None and rng.random() < 0.6:  # the unit sees it will be late
            at = self.later(d.due_at, -2.5, -1.2)
            if at < self.now:
                # The officer drafts the letter; the director signs it, sometimes after the limit (a late
                # letter), or not yet (a draft waiting in his queue).
                with contextlib.suppress(DomainError):
                    wf.draft_apology(specialist, d, reason="Cần thêm thời gian kiểm tra thực địa và lấy ý kiến",
                                     new_due_at=self.later(d.due_at, 2, 3), at=at)
                    signed_at = self.later(at, 0.1, 1)
                    if signed_at < self.now:
                        wf.sign_apology(p["giang"], d, at=signed_at, issue_form=False)
        if t > self.now:
            return
        if 0.86 < roll <= 0.9 and d.due_at is not None and t <= d.due_at:
            wf.refuse(specialist, d, reason="Công trình không phù hợp quy hoạch chi tiết được duyệt", at=t,
                      issue_form=False)
            t = self.later(t, 0.1, 1)
            if t < self.now:
                wf.return_result(p["binh"], d, method="desk", at=t)
            return
        wf.transfer_step(specialist, d, note="Hồ sơ đủ điều kiện cấp phép", at=t)
        t = self.later(t, 0.1, 1.2)
        if t > self.now:
            return
        if rng.random() < 0.05:
            wf.return_step(p["dung"], d, reason="Bổ sung nhận xét về khoảng lùi công trình", at=t)
            t = self.later(t, 0.3, 1)
            if t > self.now:
                return
            wf.transfer_step(specialist, d, note="Đã bổ sung nhận xét", at=t)
            t = self.later(t, 0.1, 0.5)
            if t > self.now:
                return
        wf.approve(p["dung"], d, at=t)
        t = self.later(t, 0.1, 1.2)
        if t > self.now:
            return
        wf.sign(p["giang"], d, at=t)
        d.refresh_from_db()
        if rng.random() < 0.5:
            t = self.later(t, 0.05, 0.3)
            if t > self.now:
                return
            wf.request_payment(p["binh"], d, amount_vnd=d.fees_due_vnd or 150_000, description="Lệ phí cấp giấy phép",
                               at=t)
            t = self.later(t, 0.2, 2)
            if t > self.now:
                return
            wf.confirm_payment(p["binh"], d, channel=rng.choice(["online", "online", "bank", "desk"]),
                               receipt_number=f"BL{i:05d}", at=t)
        t = self.later(t, 0.05, 0.5)
        if t > self.now:
            return
        wf.record_result(p["binh"], d, number=f"{i}/GPXD-SXD", issued_on=timezone.localdate(t), at=t)
        t = self.later(t, 0.1, 1.5)
        if t > self.now:
            return
        wf.return_result(p["binh"], d, method=rng.choice(["online", "post", "desk"]), at=t)


def seed(stdout: Any, count: int | None = None) -> None:
    count = COUNT if count is None else count
    if Dossier.objects.filter(procedure__code__in=CODES, applicant_id_number__startswith="0680").exists():
        return
    people = {u.username: u for u in User.objects.filter(username__in=["binh", "cuong", "dung", "giang", "khanh"])}
    codes = [c for c in CODES if Procedure.objects.filter(code=c, versions__status="published").exists()]
    if len(people) < 5 or not codes:
        stdout.write("Dossiers: demo organisation or construction procedures missing, skipped.\n")
        return
    started = time.monotonic()
    rng = random.Random(20260701)  # noqa: S311 - a reproducible demo, not a secret
    now = timezone.now()
    sim = _Sim(rng, people, now)
    # No notice for this backdated history and no statistics refresh per event (no handler is dispatched);
    # the statistics demo step rebuilds them once. Dossiers are written in batches of one transaction.
    with dispatch.withhold(), deadlines.calendars_fixed():
        for first in range(1, count + 1, BATCH):
            with transaction.atomic():
                for i in range(first, min(count + 1, first + BATCH)):
                    sim.run(i, rng.choice(codes))
        with transaction.atomic():
            late.tick(now)
    by_status = {Status(s).label: Dossier.objects.filter(status=s, procedure__code__in=codes).count()
                 for s in Status}
    summary = ", ".join(f"{label}: {n}" for label, n in by_status.items() if n)
    stdout.write(f"Dossiers: {count} construction dossiers since {START:%d/%m/%Y} ({summary}) "
                 f"in {time.monotonic() - started:.0f} s.\n")

