"""Demo feedback (PAKN): about forty items received by the Department of Construction over the last months,
on every channel and in every state — answered and published (with the personal data masked), forwarded
to another department, rejected (a complaint, pointed to the Law on Complaints), merged, waiting for more
information, late, prolonged, a conduct item about a demo dossier with a substantiated finding, a sender
not satisfied and a follow-up, a spam.

Each item goes through the real services (``services.py``) in order; the services take "now" from the
clock, so after each step the instants it wrote (the item's timestamps and the events it appended) are
moved back to the step's day with ``.update()``, and the deadlines recomputed from the moved receipt by the
one clock (``deadlines.dues_from``, ``publish_due``). No notice leaves (``services.quiet``). Deterministic
and idempotent: nothing is added when the agency already has feedback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from motcua.accounts.models import OrgUnit, User
from motcua.calendars import selectors as calendars
from motcua.catalogue.models import Procedure
from motcua.dossiers.models import Dossier

from . import deadlines, services
from .choices import Channel, Finding, Kind, Reaction, Topic
from .models import ApiClient, FeedbackEvent, FeedbackItem

AGENCY = "000.00.22.H68"  # Sở Xây dựng
DIVISION = "002.00.22.H68"  # the division of the personas Cường and Dung
OTHER = "000.00.06.H68"  # Sở Nông nghiệp và Môi trường, on the system: a forwarded item becomes its own
REVIEW = {c: {"verdict": v, "note": n} for c, v, n in (
    ("necessity", "met", "Quy định cần thiết để quản lý trật tự xây dựng."),
    ("reasonableness", "met", "Phù hợp Luật Xây dựng và Nghị định hướng dẫn."),
    ("simplicity", "not_met", "Thành phần hồ sơ còn trùng lặp, có thể giảm."),
    ("feasibility", "met", ""),
    ("consistency", "met", ""),
    ("treaties", "not_applicable", "Không liên quan điều ước quốc tế."),
)}

_ANSWER = ("Sở Xây dựng đã xem xét phản ánh, kiến nghị. {detail} Sở sẽ tổng hợp, kiến nghị cơ quan có thẩm "
           "quyền sửa đổi, bổ sung quy định và công khai kết quả trên Cổng thông tin điện tử của Sở.")
# The everyday items: (title, content, detail of the answer, channel, sender).
_ROUTINE = [
    ("Thời hạn cấp giấy phép xây dựng nhà ở riêng lẻ", "Thời hạn 15 ngày cấp giấy phép xây dựng nhà ở riêng lẻ "
     "là dài so với quy mô công trình, đề nghị rút ngắn.", "Thời hạn 15 ngày theo Luật Xây dựng là thời hạn tối đa.",
     Channel.WEB, ("Trần Văn Hùng", "0903111222", "")),
    ("Bản vẽ nộp hai lần trong hồ sơ cấp phép", "Hồ sơ yêu cầu bản vẽ mặt bằng đã có trong bản vẽ thiết kế, "
     "phải nộp hai lần gây tốn kém.", "Thành phần hồ sơ sẽ được rà soát để bỏ bản trùng.", Channel.API,
     ("Lê Thị Mai", "", "mai.le@example.com")),
    ("Phí thẩm định thiết kế cơ sở", "Mức phí thẩm định thiết kế cơ sở chưa được niêm yết tại bộ phận một cửa.",
     "Mức phí đã được niêm yết bổ sung tại Bộ phận Một cửa và trên Cổng dịch vụ công.", Channel.EMAIL,
     ("Phạm Quốc Bảo", "0912000111", "bao.pham@example.com")),
    ("Cấp chứng chỉ hành nghề qua mạng", "Đề nghị cho phép nộp toàn bộ hồ sơ cấp chứng chỉ hành nghề hoạt động "
     "xây dựng trực tuyến, không phải nộp bản giấy.", "Thủ tục đã được cung cấp dịch vụ công trực tuyến toàn "
     "trình từ tháng này.", Channel.WEB, ("Võ Thanh Tâm", "0977000222", "")),
    ("Giấy phép sửa chữa nhà ở", "Quy định buộc xin phép khi sửa chữa không thay đổi kết cấu là chưa hợp lý.",
     "Theo Luật Xây dựng, sửa chữa không làm thay đổi kết cấu chịu lực được miễn giấy phép.", Channel.LETTER,
     ("Đặng Văn Long", "", "")),
    ("Hướng dẫn hồ sơ điều chỉnh giấy phép", "Trang hướng dẫn chưa nêu rõ giấy tờ khi điều chỉnh giấy phép "
     "xây dựng.", "Trang hướng dẫn đã được cập nhật đầy đủ thành phần hồ sơ.", Channel.OPEN311,
     ("", "", "")),
    ("Thời gian làm việc của bộ phận một cửa", "Đề nghị bộ phận một cửa làm việc sáng thứ Bảy để người dân "
     "đi làm có thể nộp hồ sơ.", "Sở sẽ báo cáo Ủy ban nhân dân tỉnh xem xét bố trí tiếp nhận sáng thứ Bảy.",
     Channel.PHONE, ("Ngô Thị Lan Anh", "0988123456", "")),
    ("Thẩm định dự án nhóm C", "Thời gian thẩm định báo cáo kinh tế kỹ thuật dự án nhóm C còn kéo dài.",
     "Thời hạn thẩm định được thực hiện đúng quy định; Sở sẽ công khai tiến độ từng hồ sơ.", Channel.IN_PERSON,
     ("Hồ Minh Khoa", "0935777888", "")),
    ("Quy hoạch chi tiết khu dân cư", "Đề nghị công khai bản đồ quy hoạch chi tiết khu dân cư để người dân "
     "tra cứu trước khi xin phép.", "Bản đồ quy hoạch đã được công khai trên Cổng thông tin quy hoạch của tỉnh.",
     Channel.WEB, ("Bùi Thị Hạnh", "", "hanh.bui@example.com")),
    ("Cấp phép xây dựng có thời hạn", "Quy định về giấy phép xây dựng có thời hạn chưa rõ điều kiện gia hạn.",
     "Điều kiện gia hạn được quy định tại Luật Xây dựng; Sở đã bổ sung vào trang hướng dẫn.", Channel.EMAIL,
     ("Phan Đức Sơn", "0966555444", "son.phan@example.com")),
]
_PENDING = [
    ("Chứng chỉ năng lực hoạt động xây dựng hạng III", "Đề nghị giảm yêu cầu kinh nghiệm đối với chứng chỉ năng "
     "lực hạng III cho doanh nghiệp mới.", Channel.WEB, ("Công ty TNHH Xây dựng Đức Trọng", "0263555666", "")),
    ("Cấp lại giấy phép bị mất", "Thủ tục cấp lại giấy phép xây dựng bị mất yêu cầu xác nhận của công an là "
     "không cần thiết.", Channel.API, ("Huỳnh Thị Vy", "", "vy.huynh@example.com")),
    ("Thông báo khởi công", "Mẫu thông báo khởi công chưa có bản điện tử để tải về.", Channel.WEB,
     ("", "", "")),
    ("Phí cấp phép xây dựng", "Lệ phí cấp phép nhà ở riêng lẻ khác nhau giữa các địa phương trong tỉnh.",
     Channel.OPEN311, ("", "", "")),
]


def _items() -> list[dict[str, Any]]:
    """The demo's items, oldest first: ages in calendar days before today."""
    items: list[dict[str, Any]] = []
    # Published answers to regulation feedback, over the last four months (three rounds of the ten topics
    # where time allows), the personal data masked in the published texts.
    ages = [120, 112, 104, 97, 90, 84, 77, 70, 64, 58, 52, 47, 43, 39, 35, 31, 28, 25, 23, 21]
    for n, age in enumerate(ages):
        title, content, detail, channel, (name, phone, email) = _ROUTINE[n % len(_ROUTINE)]
        if n >= len(_ROUTINE):
            title = f"{title} (ý kiến khác)"
        items.append({"age": age, "channel": channel, "title": title, "name": name, "phone": phone,
                      "email": email, "procedure": n % 2 == 0,
                      "content": content + (f" Người phản ánh: {name}, điện thoại {phone}." if phone else ""),
                      "proposal": "Rút ngắn thời hạn, bỏ giấy tờ trùng lặp." if n % 3 == 0 else "",
                      "answer": _ANSWER.format(detail=detail), "fate": "published",
                      "answer_day": 6 + n % 5, "publish_after": 3 if n % 4 else 4,
                      **({"reaction": Reaction.SATISFIED} if n % 3 == 1 else {})})
    items += [
        # Answered late (approved on the 17th working day) and published.
        {"age": 60, "channel": Channel.LETTER, "title": "Cấp phép xây dựng công trình tôn giáo",
         "content": "Hồ sơ cấp phép công trình tôn giáo phải xin ý kiến nhiều cơ quan, thời gian kéo dài.",
         "name": "Nguyễn Thị Kim", "address": "thôn 3, xã Di Linh", "fate": "published", "answer_day": 16,
         "answer": _ANSWER.format(detail="Sở sẽ lấy ý kiến các cơ quan đồng thời thay vì lần lượt.")},
        # Prolonged once, with its reason, then answered within the new date.
        {"age": 50, "channel": Channel.WEB, "title": "Điều kiện cấp phép trong khu bảo tồn",
         "content": "Quy định cấp phép xây dựng trong khu bảo tồn kiến trúc Đà Lạt chưa thống nhất giữa các văn bản.",
         "name": "Trần Quốc Toản", "email": "toan.tran@example.com", "fate": "published", "answer_day": 18,
         "extend": "Cần lấy ý kiến Bộ Xây dựng về quy chế quản lý kiến trúc.",
         "answer": _ANSWER.format(detail="Bộ Xây dựng đã có ý kiến thống nhất cách áp dụng quy chế.")},
        # Not satisfied, then a follow-up: a new linked item.
        {"age": 45, "channel": Channel.WEB, "title": "Thời hạn trả kết quả chứng chỉ hành nghề",
         "content": "Chứng chỉ hành nghề được hẹn 20 ngày nhưng đến ngày hẹn vẫn chưa có kết quả.",
         "name": "Lý Văn Phúc", "phone": "0911222333", "fate": "published", "answer_day": 7,
         "answer": _ANSWER.format(detail="Thời hạn cấp chứng chỉ được tính từ khi có kết quả sát hạch."),
         "reaction": Reaction.DISSATISFIED,
         "follow_up": "Câu trả lời chưa giải thích vì sao kết quả sát hạch có sau 30 ngày."},
        # Forwarded to the competent department (on the system: it gets the item as its own).
        {"age": 40, "channel": Channel.PHONE, "title": "Cấp giấy chứng nhận quyền sử dụng đất",
         "content": "Đề nghị rút ngắn thời gian cấp giấy chứng nhận quyền sử dụng đất khi tách thửa.",
         "name": "Vũ Thị Ngọc", "phone": "0944666777", "fate": "forwarded", "forward_day": 3,
         "reason": "Thuộc thẩm quyền của Sở Nông nghiệp và Môi trường (đất đai)."},
        # A complaint, not accepted as PAKN: the sender pointed to the Law on Complaints.
        {"age": 36, "channel": Channel.WEB, "title": "Khiếu nại quyết định xử phạt vi phạm xây dựng",
         "content": "Tôi khiếu nại quyết định xử phạt vi phạm hành chính về xây dựng của thanh tra Sở.",
         "name": "Đỗ Minh Quân", "phone": "0922333444", "fate": "rejected",
         "reason": "Nội dung là khiếu nại quyết định hành chính, không phải phản ánh, kiến nghị về quy định hành "
                   "chính; đề nghị gửi đơn khiếu nại theo Luật Khiếu nại năm 2011 đến người đã ra quyết định."},
        # A duplicate of an earlier item, merged: the sender follows the earlier one.
        {"age": 33, "channel": Channel.WEB, "title": "Bản vẽ nộp hai lần (trùng)",
         "content": "Hồ sơ cấp phép vẫn yêu cầu nộp bản vẽ mặt bằng hai lần.", "name": "Lê Văn Tài",
         "email": "tai.le@example.com", "fate": "merged", "into_title": "Bản vẽ nộp hai lần trong hồ sơ cấp phép"},
        # About how a demo dossier was handled: the leader finds it substantiated (Circular 01/2018 ind. 7).
        {"age": 30, "channel": Channel.WEB, "topic": Topic.CONDUCT, "dossier": True,
         "title": "Cán bộ yêu cầu bổ sung giấy tờ ngoài quy định",
         "content": "Khi nộp hồ sơ, tôi được yêu cầu nộp thêm bản sao sổ hộ khẩu, không có trong thành phần hồ sơ.",
         "name": "Nguyễn Văn An", "phone": "0912345678", "fate": "published", "answer_day": 6,
         "answer": "Sở Xây dựng xin lỗi Ông: yêu cầu nộp thêm bản sao sổ hộ khẩu là không đúng quy định. Sở đã "
                   "chấn chỉnh cán bộ liên quan và sẽ giải quyết hồ sơ theo đúng thành phần đã công bố.",
         "finding": "Cán bộ yêu cầu giấy tờ không có trong thành phần hồ sơ đã công bố (Nghị định 61/2018)."},
        # Waiting for the sender's information (asked on the 3rd working day).
        {"age": 9, "channel": Channel.EMAIL, "title": "Cấp phép di dời công trình",
         "content": "Thủ tục cấp phép di dời công trình chưa rõ cơ quan thẩm định.", "name": "Phạm Văn Dũng",
         "email": "dung.pham@example.com", "fate": "info_requested",
         "info": "Đề nghị cho biết công trình thuộc cấp nào và địa điểm di dời."},
        # Answered with information given in time, now waiting for the leader's approval, then publication.
        {"age": 13, "channel": Channel.WEB, "title": "Quy định khoảng lùi công trình",
         "content": "Quy định khoảng lùi công trình trên các tuyến phố chưa được công bố đầy đủ.",
         "name": "Mai Thị Thu", "email": "thu.mai@example.com", "fate": "approved", "answer_day": 7,
         "info": "Đề nghị cho biết tên tuyến phố.", "info_answer": "Đường Phan Đình Phùng, Đà Lạt.",
         "answer": _ANSWER.format(detail="Khoảng lùi các tuyến phố đã được công bố kèm quy chế quản lý kiến trúc.")},
        # Late: classified five weeks ago and still without an answer (flagged by the periodic check).
        {"age": 38, "channel": Channel.LETTER, "title": "Thủ tục cấp phép công trình viễn thông",
         "content": "Cấp phép trạm thu phát sóng phải xin nhiều giấy phép khác nhau.", "name": "Công ty Viễn thông A",
         "address": "số 5 đường Hùng Vương, Bảo Lộc", "fate": "handling"},
        {"age": 12, "channel": Channel.WEB, "title": "Dự thảo trả lời: hồ sơ hoàn công",
         "content": "Quy định nộp hồ sơ hoàn công chưa có hướng dẫn cụ thể.", "name": "Tạ Văn Nam",
         "phone": "0909000111", "fate": "drafted", "answer_day": 5,
         "answer": _ANSWER.format(detail="Hồ sơ hoàn công thực hiện theo Nghị định về quản lý chất lượng.")},
        {"age": 10, "channel": Channel.IN_PERSON, "title": "Giấy phép xây dựng nhà ở nông thôn",
         "content": "Đề nghị miễn giấy phép xây dựng nhà ở nông thôn ngoài khu vực có quy hoạch.",
         "name": "Hoàng Thị Yến", "phone": "0935123123", "fate": "reviewed", "answer_day": 5,
         "proposal": "Miễn giấy phép cho nhà ở dưới 3 tầng ngoài khu vực có quy hoạch.",
         "answer": _ANSWER.format(detail="Luật Xây dựng đã miễn giấy phép cho nhà ở nông thôn ngoài quy hoạch.")},
        # Spam, hidden from the public.
        {"age": 2, "channel": Channel.OPEN311, "title": "Khuyến mãi vật liệu xây dựng giá rẻ",
         "content": "Liên hệ ngay để nhận ưu đãi vật liệu xây dựng giá rẻ nhất thị trường!!!", "fate": "spam"},
    ]
    for n, (title, content, channel, (name, phone, email)) in enumerate(_PENDING):
        items.append({"age": 1 + n, "channel": channel, "title": title, "content": content, "name": name,
                      "phone": phone, "email": email, "fate": "handling" if n % 2 else "received"})
    return sorted(items, key=lambda spec: -spec["age"])


ITEMS = _items()


@dataclass
class _Run:
    """One item's life: each service call at a chosen past instant."""

    people: dict[str, User]
    item: FeedbackItem | None = None
    moved: list[FeedbackItem] = field(default_factory=list)

    def at(self, when: dt.datetime, call: Callable[[], Any]) -> Any:
        """Run ``call`` and move what it wrote to ``when``: every timestamp of the items it touched that is
        now newer than the start of the call, and the events it appended."""
        started = timezone.now()
        result = call()
        touched = {i.pk for i in ([result] if isinstance(result, FeedbackItem) else []) + self.moved}
        if self.item is not None:
            touched.add(self.item.pk)
        touched |= set(FeedbackItem.objects.filter(forwarded_from_id__in=touched).values_list("pk", flat=True))
        touched |= set(FeedbackItem.objects.filter(follow_up_of_id__in=touched).values_list("pk", flat=True))
        names = [f.name for f in FeedbackItem._meta.get_fields()
                 if getattr(f, "get_internal_type", lambda: "")() == "DateTimeField"
                 and f.name not in ("reject_due", "forward_due", "info_due", "answer_due", "publish_due",
                                    "original_answer_due")]
        for row in FeedbackItem.objects.filter(pk__in=touched):
            changes = {n: when for n in names if getattr(row, n) is not None and getattr(row, n) >= started}
            if changes:
                FeedbackItem.objects.filter(pk=row.pk).update(**changes)
        FeedbackEvent.objects.filter(item_id__in=touched, at__gte=started).update(at=when)
        for pk in touched:
            _recompute(pk)
        services.bump_revision()  # update() sends no signal: the kept pages of answers must not outlive these changes
        return result


def _recompute(pk: int) -> None:
    """The deadlines again from the moved instants, by the one clock."""
    item = FeedbackItem.objects.select_related("agency").get(pk=pk)
    dues = deadlines.dues_from(item.received_at, item.agency.code)
    changes: dict[str, Any] = {"reject_due": dues.reject, "forward_due": dues.forward, "info_due": dues.info,
                               "answer_due": dues.answer}
    if item.extended_at is not None:
        changes["original_answer_due"] = dues.answer
        changes["answer_due"] = deadlines.due(dues.answer, deadlines.limits()["extension"],
                                              item.agency.code).due_at
    if item.approved_at is not None:
        changes["publish_due"] = deadlines.publish_due(item.approved_at, item.agency.code)
    FeedbackItem.objects.filter(pk=pk).update(**changes)


def _working_day_back(today: dt.date, days: int, agency: str) -> dt.date:
    """The working day ``days`` calendar days before ``today``, or the working day before it."""
    calendar = calendars.get_calendar(agency)
    day = today - dt.timedelta(days=days)
    while not calendar.is_working_day(day):
        day -= dt.timedelta(days=1)
    return day


def _wd(start: dt.datetime, n: int, hour: int, agency: str) -> dt.datetime:
    """``hour`` o'clock on the ``n``-th working day after ``start`` (0: the day of ``start``)."""
    day = start if n == 0 else deadlines.due(start, n, agency).due_at
    return timezone.localtime(day).replace(hour=hour, minute=(start.minute + 7 * n) % 60, second=0,
                                           microsecond=0)


def seed(stdout: Any) -> None:
    agency = OrgUnit.objects.filter(code=AGENCY).first()
    if agency is None or FeedbackItem.objects.filter(agency=agency).exists():
        return
    people = {u.username: u for u in User.objects.filter(username__in=["binh", "cuong", "dung", "giang", "ha",
                                                                          "an"])}
    if len(people) < 6:
        return
    division = OrgUnit.objects.get(code=DIVISION)
    other = OrgUnit.objects.filter(code=OTHER).first()
    client = ApiClient.objects.filter(name="Cổng dịch vụ công tỉnh (demo)").first()
    if client is None:
        client, _key = services.issue_api_key(people["ha"], name="Cổng dịch vụ công tỉnh (demo)", agency=agency)
    procedure = Procedure.objects.filter(code="1.013236").first()
    dossier = (Dossier.objects.filter(code__isnull=False, processing_unit__path__startswith=agency.path)
               .exclude(code="").order_by("pk").first())
    now = timezone.localtime()
    today = now.date()
    count = 0
    with transaction.atomic(), services.quiet():
        for spec in ITEMS:
            _play(spec, people=people, agency=agency, division=division, other=other, client=client,
                  procedure=procedure, dossier=dossier, today=today, now=now)
            count += 1
        # The periodic check, judged now: the open items past a limit are flagged (no notice leaves).
        services.flag_late(timezone.now())
    stdout.write(f"Demo feedback: {count} items for {agency.name}.\n")


def _play(spec: dict[str, Any], *, people: dict[str, User], agency: OrgUnit, division: OrgUnit,
          other: OrgUnit | None, client: ApiClient, procedure: Procedure | None, dossier: Dossier | None,
          today: dt.date, now: dt.datetime) -> None:
    day = _working_day_back(today, spec["age"], AGENCY)
    hour = 8 + len(spec["title"]) % 9  # office hours, spread over the day
    received = dt.datetime.combine(day, dt.time(13 if hour == 12 else hour, (7 * len(spec["content"])) % 60),
                                   tzinfo=now.tzinfo)
    run = _Run(people)
    channel = spec["channel"]
    data = services.Submission(
        title=spec["title"], content=spec["content"], proposal=spec.get("proposal", ""),
        kind=Kind.PETITION if spec.get("proposal") else Kind.FEEDBACK, topic=spec.get("topic", Topic.REGULATION),
        agency=agency, name=spec.get("name", ""), phone=spec.get("phone", ""), email=spec.get("email", ""),
        address=spec.get("address", ""), id_number=spec.get("id_number", ""),
        procedure_code=procedure.code if procedure is not None and spec.get("procedure") else "",
        address_string=spec.get("place", ""), language=spec.get("language", "vi"))
    if spec.get("dossier"):
        if dossier is None:
            return
        data.dossier_code = dossier.code or ""
    staff = channel in (Channel.LETTER, Channel.PHONE, Channel.IN_PERSON, Channel.EMAIL)
    item = run.at(received, lambda: services.submit(
        data, channel=channel, user=people["binh"] if staff else None,
        api_client=client if channel in (Channel.API, Channel.OPEN311) else None))
    run.item = item
    p = people

    def step(n: int, hour: int, call: Callable[[FeedbackItem], Any]) -> None:
        nonlocal item
        when = min(_wd(received, n, hour, AGENCY), now - dt.timedelta(minutes=5))
        assert run.item is not None
        result = run.at(when, lambda: call(FeedbackItem.objects.get(pk=run.item.pk)))  # type: ignore[union-attr]
        if isinstance(result, FeedbackItem) and result.pk == run.item.pk:  # type: ignore[union-attr]
            item = result

    fate = spec["fate"]
    if fate == "received":
        return
    if fate == "spam":
        step(0, 14, lambda i: services.mark_spam(i, p["binh"], reason="Quảng cáo, không phải phản ánh."))
        return
    if fate == "rejected":
        step(1, 10, lambda i: services.reject(i, p["binh"], reason=spec["reason"]))
        return
    if fate == "forwarded":
        step(spec.get("forward_day", 3), 15, lambda i: services.forward(
            i, p["binh"], to_unit_id=other.pk if other is not None else None,
            to_name="" if other is not None else "Sở Nông nghiệp và Môi trường", reason=spec["reason"]))
        return
    if fate == "merged":
        into = FeedbackItem.objects.filter(agency=agency, title=spec["into_title"]).order_by("pk").first()
        if into is not None:
            step(1, 9, lambda i: services.merge(i, p["binh"], into_code=into.code))
        return
    step(1, 8, lambda i: services.classify(i, p["binh"], division_id=division.pk, assignee_id=p["cuong"].pk))
    if fate == "handling":
        return
    if spec.get("info"):
        step(spec.get("info_day", 3), 10, lambda i: services.request_info(i, p["cuong"], message=spec["info"]))
        if fate == "info_requested":
            return
        step(spec.get("info_day", 3) + 2, 16, lambda i: services.provide_info(
            i, secret=i.secret, text=spec.get("info_answer", "Đã bổ sung thông tin theo đề nghị.")))
    if spec.get("extend"):
        step(10, 9, lambda i: services.extend(i, p["giang"], reason=spec["extend"]))
    d = spec.get("answer_day", 8)
    step(d, 10, lambda i: services.draft_answer(i, p["cuong"], answer=spec["answer"],
                                                review=REVIEW if i.topic == Topic.REGULATION else None))
    if fate == "drafted":
        return
    step(d + 1, 9, lambda i: services.review_answer(i, p["dung"], accept=True, note="Đồng ý dự thảo."))
    if fate == "reviewed":
        return
    step(d + 2, 14, lambda i: services.approve_answer(i, p["giang"]))
    if spec.get("finding"):
        step(d + 2, 15, lambda i: services.decide_finding(i, p["giang"], finding=Finding.SUBSTANTIATED,
                                                          note=spec["finding"]))
    if fate == "approved":
        return
    step(d + spec.get("publish_after", 3), 10, lambda i: services.publish(i, p["giang"],
                                                                           channels="Cổng thông tin điện tử của Sở"))
    if spec.get("reaction"):
        step(d + 5, 20, lambda i: services.react(i, reaction=spec["reaction"], secret=i.secret))
    if spec.get("follow_up"):
        step(d + 6, 20, lambda i: services.follow_up(i, content=spec["follow_up"], secret=i.secret))

