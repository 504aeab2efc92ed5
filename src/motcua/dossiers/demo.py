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
import io
import random
import time
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from motcua.accounts.models import User
from motcua.catalogue.models import Procedure
from motcua.core.errors import DomainError

from . import deadlines, dispatch, files, services
from .choices import Channel, Outcome, Status
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
# How processing ends against the promised date, as a well-run department's figures look (domain note
# indices.md §1.3: Lâm Đồng's on-time rate 97.28 %; the department's target of ≥ 90 % early, §4): most a
# working day or more before the promised day, some on the day itself, a few late.
PACE = (("early", 0.88), ("due_day", 0.09), ("late", 0.03))
WORKING_DAY = 8 * 3600  # the demo agency's working day (08:00-12:00, 13:00-17:00)
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

    def finish(self, t: dt.datetime, due: dt.datetime | None) -> tuple[str, dt.datetime]:
        """When the processing that is left from ``t`` ends, and how it stands against the promised date
        ``due`` by the one rule (``timeliness.judge``): a well-run department ends most dossiers a working day
        or more before the promised day (``PACE``), some on that day, a few after it. An early end needs
        working time before the due day: without it the dossier ends on the day."""
        kind = self.rng.choices([k for k, _ in PACE], [w for _, w in PACE])[0]
        if due is None:
            return kind, self.later(t, 1, 4)
        if kind == "late":
            return kind, max(self.later(due, 0.2, 2.5), self.later(t, 0.2, 1))
        midnight = dt.datetime.combine(timezone.localtime(due).date(), dt.time.min, tzinfo=due.tzinfo)
        before = deadlines.working_seconds_between(t, midnight, AGENCY)
        if kind == "early" and before > 3600:
            return kind, deadlines.add_working(t, int(before * self.rng.uniform(0.35, 0.95)), AGENCY)
        opening = max(t, deadlines.add_working(midnight, 0, AGENCY))
        left = max(0, deadlines.working_seconds_between(opening, due, AGENCY))
        return "due_day", deadlines.add_working(opening, int(left * self.rng.uniform(0.1, 0.9)), AGENCY)

    def form_values(self, declaration: list[dict[str, Any]], place: str, day: dt.datetime) -> dict[str, Any]:
        """Plausible, consistent answers to a procedure's application e-form: a plot and its map sheet, a house of
        a few floors whose floor area and height follow from its footprint and floors."""
        rng = self.rng
        floors = rng.randint(1, 7)
        footprint = round(rng.uniform(60, 300), 1)
        known: dict[str, Any] = {
            "plot_number": str(rng.randint(1, 900)), "map_sheet": str(rng.randint(1, 60)),
            "works_address": f"{rng.randint(1, 200)} đường {rng.choice(['Trần Phú', 'Hùng Vương'])}, {place}",
            "works_type": "Công trình dân dụng", "floors": floors, "construction_area": footprint,
            "plot_area": round(footprint / rng.uniform(0.5, 0.9), 1),
            "total_floor_area": round(footprint * floors * rng.uniform(0.85, 1.0), 1),
            "height": round(floors * 3.6 + rng.uniform(0.3, 1.5), 1),
        }
        values: dict[str, Any] = {}
        for spec in declaration:
            key, low, high = spec["key"], spec.get("min"), spec.get("max")
            if spec["type"] == "choice":
                values[key] = rng.choice(spec["choices"])["value"]
            elif key in known:
                values[key] = known[key]
            elif spec["type"] == "integer":
                values[key] = rng.randint(max(int(low or 1), 1), min(int(high or 9), 9))
            elif spec["type"] == "decimal":
                values[key] = round(rng.uniform(max(float(low or 0), 20.0), min(float(high or 400), 400.0)), 1)
            elif spec["type"] == "date":
                values[key] = timezone.localdate(day).isoformat()
            else:
                values[key] = "Theo hồ sơ thiết kế"
        return values

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
        in_force = procedure.versions.filter(status="published", valid_from__lte=received.date()).order_by(
            "-valid_from").first()
        declared = list(in_force.eform or []) if in_force else []
        data = services.Intake(procedure=code, applicant=applicant, subject=f"Xin {procedure.name[:200].lower()}",
                               documents=[services.DocumentInput(order=k) for k in range(1, n_docs + 1)],
                               channel=rng.choice([Channel.DESK, Channel.DESK, Channel.POST]),
                               form_data=self.form_values(declared, place, received) if declared else None)
        if i % 60 == 30:
            # Now and then the desk refuses a dossier at intake, with the reason (form 03, Decree 61/2018 Art. 17):
            # a fixed share rather than a draw, so that every demo holds one.
            data.outcome, data.reason = Outcome.REFUSE, ("Thủ tục không thuộc thẩm quyền giải quyết của Sở Xây "
                                                         "dựng theo phân cấp; đề nghị nộp tại UBND cấp xã")
            services.receive_at_desk(p["binh"], data, at=received)
            return
        d = services.receive_at_desk(p["binh"], data, at=received)
        roll = rng.random()
        if i % 45 == 20:
            roll = 0.04  # and a withdrawn one (the stop notice), whatever the draw says
        if roll < 0.03:
            return  # still at the desk (status 2)
        t = self.later(received, 0.02, 0.3)
        if d.transfer_due_at is not None and rng.random() < 0.95:  # most by the transfer deadline (Art. 18)
            t = min(t, d.transfer_due_at)
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
                # Drafted by the specialist, approved by the head, sent by the director's signature within the
                # hour (Decree 61/2018 Art. 19(4); ``workflow.services.sign_supplement``).
                missing = [services.MissingItem("Bản vẽ thiết kế", "Thiếu mặt cắt công trình, đề nghị bổ sung")]
                wf.draft_supplement(specialist, d, reason="", missing=missing, at=t2, data={
                    "reason": "", "missing": [{"document": m.document, "reason": m.reason} for m in missing]})
                wf.approve_draft(p["dung"], d, "supplement", at=deadlines.add_working(t2, 1200, AGENCY))
                t2 = deadlines.add_working(t2, 3600, AGENCY)
                wf.sign_supplement(p["giang"], d, lambda draft, chain: services.request_supplement(
                    p["giang"], d, missing, "", at=t2, signed=chain), at=t2)
                d.refresh_from_db()
                t = self.later(t2, 1, 6)
                if t > self.now:
                    return
                d = services.submit_supplement(p["binh"], d, at=t)
        d.refresh_from_db()
        # When processing ends (the result recorded), and the steps spread over the time until then.
        kind, finish = self.finish(t, d.due_at)
        # After the appraisal: the review, the signature, perhaps the fees, the result; each well within its
        # one working day.
        pay = rng.random() < 0.5
        tail = [rng.uniform(0.1, 0.8), rng.uniform(0.1, 0.8)] + (
            [rng.uniform(0.02, 0.15), rng.uniform(0.05, 0.3)] if pay else []) + [rng.uniform(0.02, 0.15)]
        appraisal = d.steps.filter(open=True).order_by("order", "id").first()
        if kind == "early" and appraisal is not None and appraisal.due_at is not None:
            # A well-run unit: the appraisal within its budget, the rest each within its day; the dossier then
            # ends early as a rule (the class follows from the steps).
            marks = [int(x * WORKING_DAY) for x in tail]
            room = max(0, deadlines.working_seconds_between(t, appraisal.due_at, AGENCY))
            t = deadlines.add_working(t, int(room * rng.uniform(0.3, 1.0)), AGENCY) if room else self.later(
                t, 0.05, 0.3)
        else:
            # Ending on the promised day or after it: the appraisal took the time; the rest takes at most half
            # of the way to the end.
            span = max(0, deadlines.working_seconds_between(t, finish, AGENCY))
            scale = min(1.0, span / 2 / (sum(tail) * WORKING_DAY))
            marks = [int(x * scale * WORKING_DAY) for x in tail]
            t = deadlines.add_working(finish, -sum(marks), AGENCY) if sum(marks) else finish  # the appraisal ends
        if t > self.now:
            return
        if 0.86 < roll <= 0.9 and d.due_at is not None and t <= d.due_at:
            # Proposed by the specialist, approved by the head, signed by the director (Decree 61/2018 Art.
            # 19(8)), all before the promised date.
            wf.propose_refusal(specialist, d, reason="Công trình không phù hợp quy hoạch chi tiết được duyệt", at=t)
            signed = min(deadlines.add_working(t, 3600, AGENCY), d.due_at)
            wf.approve_draft(p["dung"], d, "refusal", at=t + (signed - t) / 2)
            wf.sign_refusal(p["giang"], d, at=signed, issue_form=False)
            t = self.later(signed, 0.1, 1)
            if t < self.now:
                wf.return_result(p["binh"], d, method="desk", collection=_collector(d), at=t)
            return
        wf.transfer_step(specialist, d, note="Hồ sơ đủ điều kiện cấp phép", at=t)
        if kind == "late" and d.due_at is not None and rng.random() < 0.6:
            # The appraisal shows it will be late: the apology and a new date, if at least one working day
            # before the due date (Decree 61/2018 Art. 19(9)); refused (and skipped here) after that.
            # The specialist drafts the letter, the head approves it, the director signs it (sometimes after the
            # limit: a late letter, or not yet: a draft waiting in his queue).
            with contextlib.suppress(DomainError):
                wf.draft_apology(specialist, d, reason="Cần thêm thời gian kiểm tra thực địa và lấy ý kiến",
                                 new_due_at=self.later(d.due_at, 2, 3), at=t)
                signed_at = deadlines.add_working(t, marks[0] // 4, AGENCY)
                if signed_at < self.now:
                    wf.approve_apology(p["dung"], d, at=t + (signed_at - t) / 2)
                    wf.sign_apology(p["giang"], d, at=signed_at, issue_form=False)
        review_end = deadlines.add_working(t, marks[0], AGENCY)
        if rng.random() < 0.05:
            third = deadlines.working_seconds_between(t, review_end, AGENCY) // 3
            t = deadlines.add_working(t, third, AGENCY)
            if t > self.now:
                return
            wf.return_step(p["dung"], d, reason="Bổ sung nhận xét về khoảng lùi công trình", at=t)
            t = deadlines.add_working(t, third, AGENCY)
            if t > self.now:
                return
            wf.transfer_step(specialist, d, note="Đã bổ sung nhận xét", at=t)
        t = review_end
        if t > self.now:
            return
        wf.approve(p["dung"], d, at=t)
        t = deadlines.add_working(t, marks[1], AGENCY)
        if t > self.now:
            return
        wf.sign(p["giang"], d, at=t)
        d.refresh_from_db()
        if pay:
            t = deadlines.add_working(t, marks[2], AGENCY)
            if t > self.now:
                return
            wf.request_payment(p["binh"], d, amount_vnd=d.fees_due_vnd or 150_000, description="Lệ phí cấp giấy phép",
                               at=t)
            t = deadlines.add_working(t, marks[3], AGENCY)
            if t > self.now:
                return
            wf.confirm_payment(p["binh"], d, channel=rng.choice(["online", "online", "bank", "desk"]),
                               receipt_number=f"BL{i:05d}", at=t)
        t = deadlines.add_working(t, marks[-1], AGENCY)
        if t > self.now:
            return
        wf.record_result(p["binh"], d, number=f"{i}/GPXD-SXD", issued_on=timezone.localdate(t), at=t)
        t = self.later(t, 0.05, 0.6)
        if t > self.now:
            return
        # The demo's results have no digitised file, so none can go online: those drawn "online" are posted
        # (the draw stays, so that the rest of the demo is the same).
        method = rng.choice(["online", "post", "desk"]).replace("online", "post")
        collection = _collector(d) if method == "desk" else wf.Collection(tracking=f"EB{100000000 + i}VN")
        wf.return_result(p["binh"], d, method=method, collection=collection, at=t)


def _collector(d: Dossier) -> wf.Collection:
    """The applicant collects the paper result in person and signs the register."""
    id_number = d.applicant_id_number if len(d.applicant_id_number) == 12 else "068090000001"
    return wf.Collection(name=d.applicant_name, id_number=id_number, signed=True)


def seed(stdout: Any, count: int | None = None) -> None:
    count = COUNT if count is None else count
    if Dossier.objects.filter(procedure__code__in=CODES, applicant_id_number__startswith="0680").exists():
        seed_interagency(stdout)
        seed_resubmission(stdout)
        _recorded_at_receipt()
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
    seed_interagency(stdout)
    seed_resubmission(stdout)
    _recorded_at_receipt()


def _recorded_at_receipt() -> None:
    """The demo writes months of history in seconds: give its dossiers the record time they would have had (the
    instant of the receipt) rather than the seconds of the demo run, or the integrity scan would rightly see every
    one of them as a receipt entered weeks after the fact (docs/insight-integrity.md, rule 3)."""
    Dossier.objects.filter(applicant_id_number__startswith="0680", received_at__isnull=False).update(
        created_at=F("received_at"))



# --- one-stop inter-agency, different levels, receipt regardless of boundary (issue 18) ---------------------

INTERAGENCY_CODE = "1.013239"  # the feasibility study's appraisal, with the environment department's opinion
ANYWHERE_CODE = "1.013236"  # the construction permit, on the demo's list of procedures received anywhere
WARD_DESK = "001.30.01.H68"
VARIANT = "Nhóm C, còn lại"


def _applicant(n: int, name: str) -> services.Applicant:
    return services.Applicant(name=name, id_number=f"06809900{n:04d}", phone=f"0913{n:06d}",
                              address="15 đường Phan Đình Phùng, phường Xuân Hương - Đà Lạt, tỉnh Lâm Đồng")


def _intake(code: str, n: int, name: str, subject: str, receiving: str = "") -> services.Intake:
    version = Procedure.objects.get(code=code).versions.filter(status="published").order_by("-valid_from").first()
    docs = version.documents.count() if version else 0
    declared = list(version.eform or []) if version else []
    sim = _Sim(random.Random(n), {}, timezone.now())  # noqa: S311 - plausible form answers, not a secret
    return services.Intake(procedure=code, applicant=_applicant(n, name), subject=subject, receiving_unit=receiving,
                           documents=[services.DocumentInput(order=k) for k in range(1, docs + 1)],
                           time_variant=VARIANT if code == INTERAGENCY_CODE else "",
                           form_data=sim.form_values(declared, "phường Xuân Hương - Đà Lạt", timezone.now())
                           if declared else None)


def _back(now: dt.datetime, days: float) -> dt.datetime:
    """A working instant ``days`` working days before ``now`` on the demo agency's calendar."""
    return deadlines.add_working(now, -int(days * WORKING_DAY), AGENCY)


def _result_pdf(d: Dossier) -> bytes:
    """A short notice of the appraisal's result, as the Department would issue it (the demo's paper)."""
    from weasyprint import HTML

    html = (f"<html lang='vi'><body style='font-family: Liberation Serif, serif; font-size: 13pt'>"
            f"<p style='text-align:center'><b>SỞ XÂY DỰNG TỈNH LÂM ĐỒNG</b><br>Số: 15/TB-SXD</p>"
            f"<h1 style='text-align:center; font-size: 14pt'>THÔNG BÁO<br>Kết quả thẩm định Báo cáo nghiên cứu khả "
            f"thi đầu tư xây dựng</h1><p>Kính gửi: {d.applicant_name}</p><p>Sở Xây dựng thông báo kết quả thẩm định "
            f"hồ sơ mã {d.code}: Báo cáo nghiên cứu khả thi đủ điều kiện trình phê duyệt, với ý kiến của Sở Nông "
            f"nghiệp và Môi trường về đất đai và môi trường.</p><p>(Văn bản mẫu của dữ liệu trình diễn.)</p>"
            f"</body></html>")
    return bytes(HTML(string=html).write_pdf())


def _by_deadline(d: Dossier, received: dt.datetime) -> dt.datetime:
    """Half an hour after the receipt, or by the transfer deadline (Decree 118/2025 Art. 18(2))."""
    t = deadlines.add_working(received, 1800, AGENCY)
    return min(t, d.transfer_due_at) if d.transfer_due_at else t


def seed_interagency(stdout: Any) -> None:
    """Three dossiers that show the inter-agency features: a feasibility-study appraisal whose environment
    opinion came late (the late dossier attributed to that department), one whose opinion is awaited in
    Khánh's queue, and a construction permit received at a ward's desk regardless of boundary, whose time
    counts from the Department's receipt."""
    if Dossier.objects.filter(applicant_id_number__startswith="06809900").exists():
        return
    people = {u.username: u for u in User.objects.filter(username__in=["binh", "cuong", "dung", "giang", "khanh",
                                                                        "yen"])}
    if len(people) < 6 or not Procedure.objects.filter(code=INTERAGENCY_CODE, versions__participants__isnull=False,
                                                       versions__status="published").exists():
        stdout.write("Inter-agency dossiers: demo procedure or personas missing, skipped.\n")
        return
    p, now = people, timezone.now()
    with dispatch.withhold(), deadlines.calendars_fixed(), transaction.atomic():
        # 1. Received 16 working days ago; the environment department answers on day 7 of its 5; the result is
        #    signed on day 13 of 12: late, because of the opinion.
        t0 = _back(now, 16)
        d = services.receive_at_desk(p["binh"], _intake(INTERAGENCY_CODE, 1, "Công ty Cổ phần Xây dựng Lâm Viên",
                                                         "Thẩm định Báo cáo nghiên cứu khả thi dự án khu nhà ở"),
                                     at=t0)
        d = services.transfer(p["binh"], d, at=_by_deadline(d, t0))
        wf.claim(p["cuong"], d, at=deadlines.add_working(t0, 3600, AGENCY))
        wf.transfer_step(p["cuong"], d, note="Đủ điều kiện thẩm định; chờ ý kiến về đất đai, môi trường",
                         at=deadlines.add_working(t0, WORKING_DAY, AGENCY))
        wf.claim(p["khanh"], d, at=deadlines.add_working(t0, 6 * WORKING_DAY, AGENCY))
        wf.transfer_step(p["khanh"], d, note="Phù hợp quy hoạch sử dụng đất; đề nghị lập hồ sơ môi trường theo quy "
                         "định", at=deadlines.add_working(t0, 7 * WORKING_DAY, AGENCY))
        wf.approve(p["dung"], d, note="Trình ký", at=deadlines.add_working(t0, 11 * WORKING_DAY, AGENCY))
        signed = deadlines.add_working(t0, int(12.5 * WORKING_DAY), AGENCY)
        # With its PDF: signed in the Department's name where the demo's signing key exists (documents.demo).
        wf.sign(p["giang"], d, number="15/TB-SXD", issued_on=timezone.localdate(signed), at=signed,
                upload=files.Upload(name="thong-bao-ket-qua-tham-dinh.pdf", stream=io.BytesIO(_result_pdf(d))))
        wf.return_result(p["binh"], d, method="desk", collection=_collector(d),
                         at=deadlines.add_working(signed, WORKING_DAY, AGENCY))
        # 2. Received two working days ago: the opinion is awaited in the environment department's queue.
        t1 = _back(now, 2)
        d = services.receive_at_desk(p["binh"], _intake(INTERAGENCY_CODE, 2, "Công ty TNHH Đầu tư Đà Lạt Xanh",
                                                         "Thẩm định Báo cáo nghiên cứu khả thi dự án trường học"),
                                     at=t1)
        services.transfer(p["binh"], d, at=_by_deadline(d, t1))
        # 3. Received at the ward's desk yesterday, transferred this morning: its time counts from the transfer.
        t2 = _back(now, 1)
        d = services.receive_at_desk(p["yen"], _intake(ANYWHERE_CODE, 3, "Trần Văn Phúc",
                                                       "Xin cấp giấy phép xây dựng nhà ở", receiving=WARD_DESK), at=t2)
        services.transfer(p["yen"], d, at=deadlines.add_working(t2, 3 * 3600, AGENCY))
    stdout.write("Inter-agency dossiers: 2 of the feasibility-study appraisal with the environment department, "
                 "1 received at the ward's desk.\n")


# --- a case for the inspector (issue 22) ----------------------------------------------------------------------

RESUBMIT_ID = "068099000004"


def seed_resubmission(stdout: Any) -> None:
    """A construction permit withdrawn when more than half of its time was used and filed again by the same
    applicant the next day, its clock starting from zero: the pattern the integrity scan's rule 1 looks for
    (docs/insight-integrity.md), so that the inspector's queue of the demo holds a case to review."""
    if Dossier.objects.filter(applicant_id_number=RESUBMIT_ID).exists():
        return
    binh = User.objects.filter(username="binh").first()
    if binh is None or not Procedure.objects.filter(code=ANYWHERE_CODE, versions__status="published").exists():
        stdout.write("Resubmitted dossier: demo procedure or persona missing, skipped.\n")
        return
    now = timezone.now()
    name, subject = "Đặng Thị Hồng Nhung", "Xin cấp giấy phép xây dựng nhà ở riêng lẻ"
    with dispatch.withhold(), deadlines.calendars_fixed(), transaction.atomic():
        t0 = _back(now, 14)
        d = services.receive_at_desk(binh, _intake(ANYWHERE_CODE, 4, name, subject), at=t0)
        d = services.transfer(binh, d, at=_by_deadline(d, t0))
        t1 = _back(now, 3)
        d = services.request_withdrawal(binh, d, "Người nộp đề nghị rút hồ sơ", at=t1)
        services.stop(binh, d, "Theo đề nghị của người nộp", at=deadlines.add_working(t1, 3600, AGENCY))
        t2 = _back(now, 2)
        d = services.receive_at_desk(binh, _intake(ANYWHERE_CODE, 4, name, subject), at=t2)
        services.transfer(binh, d, at=_by_deadline(d, t2))
    stdout.write("Resubmitted dossier: 1 construction permit withdrawn late and filed again the next day.\n")
