"""The questionnaires motcua starts with, as data (read by migration 0002 and by ``motcua surveys seed``).

``sipas``: Part II of the Ministry of Home Affairs' questionnaire as reproduced in survey software
(``indices.md`` §3 [secondary]; whether it is the 2023–2026 form of Decision 1001/QĐ-BNV is unverified):
5 factors, 19 criteria, the five-point scale. ``dossier``: the short form a citizen answers about one
dossier (link, QR code, kiosk) — the four questions of the rating motcua kept before (processing time,
number of visits, the officer's attitude, overall satisfaction), so that the ratings already given carry
over as its first answers.
"""

from __future__ import annotations

from typing import Any

SCALE = [
    {"vi": "Rất không hài lòng", "en": "Very dissatisfied"},
    {"vi": "Không hài lòng", "en": "Dissatisfied"},
    {"vi": "Bình thường", "en": "Neutral"},
    {"vi": "Hài lòng", "en": "Satisfied"},
    {"vi": "Rất hài lòng", "en": "Very satisfied"},
]

# (code, name, name_en, [(code, statement, statement_en, about_officer, overall)])
SIPAS = [
    ("1", "Tiếp cận dịch vụ", "Access to the service", [
        ("1.1", "Thông tin về thủ tục hành chính được cung cấp bằng nhiều hình thức, dễ tiếp cận, dễ hiểu",
         "Information on procedures is given in many forms, easy to reach and understand", False, False),
        ("1.2", "Nơi tiếp nhận, trả kết quả có biển hiệu, chỉ dẫn rõ ràng",
         "The premises have clear signs and directions", False, False),
        ("1.3", "Nơi tiếp nhận, trả kết quả sạch sẽ, văn minh", "The premises are clean and civilised", False, False),
        ("1.4", "Trang thiết bị phục vụ đầy đủ, chất lượng tốt", "The equipment is adequate and of good quality",
         False, False),
    ]),
    ("2", "Thủ tục hành chính", "Administrative procedure", [
        ("2.1", "Thủ tục hành chính được niêm yết công khai tại nơi tiếp nhận, dễ thấy, dễ hiểu",
         "The procedure is posted at the premises, visible and easy to understand", False, False),
        ("2.2", "Thành phần hồ sơ đúng quy định", "The dossier components are as prescribed", False, False),
        ("2.3", "Phí, lệ phí đúng quy định", "The fees are as prescribed", False, False),
        ("2.4", "Thời hạn giải quyết đúng quy định", "The processing time is as prescribed", False, False),
    ]),
    ("3", "Công chức trực tiếp giải quyết công việc", "The officer who dealt with you", [
        ("3.1", "Công chức có thái độ lịch sự, tôn trọng", "The officer is polite and respectful", True, False),
        ("3.2", "Công chức cung cấp thông tin, trả lời kịp thời, đầy đủ",
         "The officer gives information and answers promptly and completely", True, False),
        ("3.3", "Công chức hướng dẫn dễ hiểu, hoàn thiện hồ sơ sau một lần hướng dẫn",
         "The guidance is easy to follow: the dossier was completed after one instruction", True, False),
        ("3.4", "Công chức tuân thủ đúng quy định", "The officer complies with the rules", True, False),
        ("3.5", "Công chức tận tình, chu đáo", "The officer is dedicated and attentive", True, False),
    ]),
    ("4", "Kết quả giải quyết", "The result", [
        ("4.1", "Kết quả được trả đúng hạn", "The result was returned on time", False, False),
        ("4.2", "Kết quả có thông tin đầy đủ, chính xác", "The result's information is complete and accurate",
         False, False),
        ("4.3", "Kết quả giải quyết công bằng", "The result is fair", False, False),
    ]),
    ("5", "Tiếp nhận, xử lý phản ánh, kiến nghị", "Feedback and petitions", [
        ("5.1", "Có bố trí hình thức tiếp nhận phản ánh, kiến nghị dễ dàng",
         "There is an easy way to give feedback", False, False),
        ("5.2", "Phản ánh, kiến nghị được tiếp nhận, xử lý đúng quy định",
         "Feedback is received and handled as prescribed", False, False),
        ("5.3", "Kết quả xử lý phản ánh, kiến nghị được thông báo kịp thời",
         "The result of handling feedback is notified promptly", False, False),
    ]),
]

DOSSIER = [
    ("1", "Đánh giá việc giải quyết hồ sơ", "Your dossier", [
        ("time", "Thời gian giải quyết hồ sơ", "The processing time", False, False),
        ("visits", "Số lần phải đi lại", "The number of visits you had to make", False, False),
        ("attitude", "Thái độ của công chức", "The officer's attitude", True, False),
        ("overall", "Mức độ hài lòng chung", "Your overall satisfaction", False, True),
    ]),
]

FORMS: list[dict[str, Any]] = [
    {"code": "sipas", "title": "Phiếu khảo sát sự hài lòng của người dân đối với sự phục vụ của cơ quan hành "
     "chính nhà nước", "title_en": "Citizen satisfaction with public administrative services (SIPAS)",
     "per_dossier": False, "factors": SIPAS},
    {"code": "dossier", "title": "Đánh giá mức độ hài lòng về giải quyết hồ sơ",
     "title_en": "How satisfied are you with the handling of your dossier?", "per_dossier": True,
     "factors": DOSSIER},
]


def seed(questionnaire_model: type, factor_model: type, criterion_model: type, valid_from: object) -> int:
    """Create the questionnaires that do not exist yet (by code), on the given (possibly historical) models."""
    made = 0
    for form in FORMS:
        if questionnaire_model.objects.filter(code=form["code"]).exists():  # type: ignore[attr-defined]
            continue
        q = questionnaire_model.objects.create(  # type: ignore[attr-defined]
            code=form["code"], version=1, title=form["title"], title_en=form["title_en"], valid_from=valid_from,
            scale_max=5, scale_labels=SCALE, satisfied_from=4, asks_comment=True,
            per_dossier=form["per_dossier"], active=True)
        for fpos, (fcode, name, name_en, criteria) in enumerate(form["factors"], start=1):
            factor = factor_model.objects.create(  # type: ignore[attr-defined]
                questionnaire=q, position=fpos, code=fcode, name=name, name_en=name_en)
            for cpos, (ccode, text, text_en, officer, overall) in enumerate(criteria, start=1):
                criterion_model.objects.create(  # type: ignore[attr-defined]
                    factor=factor, questionnaire=q, position=cpos, code=ccode, text=text, text_en=text_en,
                    about_officer=officer, allows_na=not overall, overall=overall)
        made += 1
    return made
