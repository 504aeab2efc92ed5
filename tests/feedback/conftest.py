from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from motcua.feedback import services
from motcua.feedback.services import Submission

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def at(y: int, m: int, d: int, h: int = 9, mi: int = 0) -> dt.datetime:
    return dt.datetime(y, m, d, h, mi, tzinfo=TZ)


def regulation(**extra) -> Submission:  # type: ignore[no-untyped-def]
    base = {"title": "Thời hạn cấp giấy phép xây dựng quá dài",
            "content": "Quy định yêu cầu nộp bản vẽ hai lần là không cần thiết, đề nghị xem xét.",
            "name": "Nguyễn Văn An", "phone": "0912345678", "email": "an@example.com",
            "id_number": "001085012345", "address": "số 12 đường Trần Phú, Đà Lạt"}
    base.update(extra)
    return Submission(**base)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def received(org, people):  # type: ignore[no-untyped-def]
    """An item received on the web form for the Department of Construction."""
    return services.submit(regulation(agency=org["sxd"]), channel="web")


GOOD_REVIEW = {c: {"verdict": "met", "note": ""} for c in (
    "necessity", "reasonableness", "simplicity", "feasibility", "consistency", "treaties")}


def answer_it(item, people):  # type: ignore[no-untyped-def]
    """Carry an item from receipt to an approved answer: classified to Cường, drafted, reviewed, approved."""
    item = services.classify(item, people["binh"], assignee_id=people["cuong"].pk)
    item = services.draft_answer(item, people["cuong"], answer="Sở Xây dựng đã xem xét và sẽ kiến nghị sửa đổi quy "
                                 "định về số lượng bản vẽ. Ông Nguyễn Văn An (SĐT 0912345678) được cảm ơn.",
                                 review=GOOD_REVIEW)
    item = services.review_answer(item, people["dung"], accept=True)
    return services.approve_answer(item, people["giang"])
