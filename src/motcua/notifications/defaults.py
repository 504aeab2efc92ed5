"""The default notice texts, in Vietnamese and English, seeded as version 1 of each template.

Each key documents the context it expects (``VARIABLES``) and a sample context (``sample_context``) used
by the admin preview and the tests. Texts for ``any`` channel are the full notice (e-mail, Zalo); ``sms``
texts are short because an SMS with Vietnamese marks holds 70 characters per segment.

The status notice carries what Decree 224/2026 Art. 15 asks of every status notice: the receiving and the
processing agency and person, and the times of receipt, processing and return. The officers' notices (late
flag, apology reminder, escalation, overdue opinion; ``staff.py``) link to the dossier's staff page.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

STATUS_CHANGED = "dossier.status_changed"
RECEIVED = "dossier.received"
SUPPLEMENT_REQUESTED = "dossier.supplement_requested"
PAYMENT_REQUESTED = "dossier.payment_requested"
APOLOGY = "dossier.apology"
# The promised date moved because an official day off or working day was added, changed or removed.
DUE_DATE_MOVED = "dossier.due_date_moved"
# The time limit of a procedure that counts from a later event (a CCHN's notice of the evaluation result,
# Decree 212/2026 Arts. 30-31) started: the first promised date.
DUE_DATE_SET = "dossier.due_date_set"
RESULT_READY = "dossier.result_ready"
CONFIRMATION_CODE = "account.confirmation_code"
# The one-time link to choose a new password ("Quên mật khẩu"), for an account registered by phone (SMS); an
# e-mail account gets Django's own reset e-mail (``motcua.portal.passwords``).
PASSWORD_RESET = "account.password_reset"  # noqa: S105 - the notice's key, not a password
# Someone registered with the e-mail or phone of an existing account (``motcua.portal.services``): the holder
# is told, instead of a code, so that the registration page never reveals who has an account.
REGISTRATION_EXISTS = "account.registration_exists"
# A citizen asked to make this e-mail or phone the sign-in of their account, but it is another account's
# (``motcua.portal.services.start_identifier_change``): its holder is told, instead of a code, so that the page
# never reveals who has an account; nothing changes on either account.
IDENTIFIER_IN_USE = "account.identifier_in_use"
# The sign-in e-mail or phone of an account was changed: sent to the OLD address, so that a hijack is noticed.
IDENTIFIER_CHANGED = "account.identifier_changed"
# To the officers (``motcua.notifications.staff``): the late flag and the apology reminder of Decree 61/2018
# Art. 19(9), the escalation to the leaders, an overdue opinion.
LATE_FLAGGED = "dossier.late_flagged"
APOLOGY_REMINDER = "dossier.apology_reminder"
ESCALATED = "dossier.escalated"
CONSULTATION_LATE = "dossier.consultation_late"
# Feedback and petitions (PAKN, ``motcua.feedback.services``): to the sender, the receipt with its answer
# date, each change of status (forwarded, not accepted, merged, more information asked, time extended), the
# approved answer; to the leaders and the officer, an item past a limit.
FEEDBACK_RECEIVED = "feedback.received"
FEEDBACK_STATUS = "feedback.status_changed"
FEEDBACK_ANSWERED = "feedback.answered"
FEEDBACK_LATE = "feedback.late"
# Satisfaction surveys (``motcua.surveys.services``): a campaign's invitation to answer about a finished dossier,
# and its one reminder (with a new link that replaces the first).
SURVEY_INVITATION = "survey.invitation"
SURVEY_REMINDER = "survey.reminder"
# Reform scorecards (``motcua.scorecards.services``): to the appraisal council, an agency's self-assessment
# submitted; to the agency's leaders, the council's appraisal sent — the appeal window runs from then.
REFORM_SUBMITTED = "reform.submitted"
REFORM_APPRAISED = "reform.appraised"
# The national procedures database (``motcua.integrations.national_catalogue``): to the catalogue
# administrators, the scheduled comparison found national procedures or changes the local catalogue lacks.
NATIONAL_CATALOGUE_BEHIND = "catalogue.national_behind"
# Personal data rights (Law 91/2025/QH15 Art. 4; ``motcua.portal.services``): to the agency's officers, a
# citizen's request about the data of one of its dossiers (a correction, a deletion, a restriction, an
# objection), with the answer's due date; to the citizen, the agency's answer.
DATA_REQUEST_RECEIVED = "personal_data.request_received"
DATA_REQUEST_ANSWERED = "personal_data.request_answered"

KEYS = [STATUS_CHANGED, RECEIVED, SUPPLEMENT_REQUESTED, PAYMENT_REQUESTED, APOLOGY, DUE_DATE_MOVED, DUE_DATE_SET,
        RESULT_READY, CONFIRMATION_CODE, PASSWORD_RESET, REGISTRATION_EXISTS, IDENTIFIER_IN_USE, IDENTIFIER_CHANGED,
        LATE_FLAGGED, APOLOGY_REMINDER,
        ESCALATED, CONSULTATION_LATE, FEEDBACK_RECEIVED, FEEDBACK_STATUS, FEEDBACK_ANSWERED, FEEDBACK_LATE,
        SURVEY_INVITATION, SURVEY_REMINDER, REFORM_SUBMITTED, REFORM_APPRAISED, NATIONAL_CATALOGUE_BEHIND,
        DATA_REQUEST_RECEIVED, DATA_REQUEST_ANSWERED]

_DOSSIER = ["recipient_name", "dossier_code", "procedure_name", "lookup_url", "hotline"]
_STAFF = ["recipient_name", "dossier_code", "procedure_name", "dossier_url"]
_FEEDBACK = ["recipient_name", "feedback_code", "title", "agency_name", "status_label", "received_at", "answer_due",
             "lookup_url", "hotline"]
VARIABLES: dict[str, list[str]] = {
    STATUS_CHANGED: [*_DOSSIER, "status_label", "receiving_unit", "receiving_officer", "processing_unit",
                     "processing_officer", "received_at", "changed_at", "due_at", "note"],
    RECEIVED: [*_DOSSIER, "receiving_unit", "receiving_officer", "received_at", "due_at"],
    # ``missing``: items with ``document`` and ``reason`` (each prints as its document); ``cover_note``: the
    # officer's note; ``reason``: the items' reasons joined, for templates written before (kept working).
    # ``respond_by``: the last day to supplement where sector law sets a time (empty otherwise).
    SUPPLEMENT_REQUESTED: [*_DOSSIER, "missing", "cover_note", "reason", "contact_name", "contact_phone",
                           "respond_by"],
    PAYMENT_REQUESTED: [*_DOSSIER, "fee_name", "amount_vnd", "pay_url", "pay_by"],
    APOLOGY: [*_DOSSIER, "original_due_at", "new_due_at", "reason", "agency_name"],
    DUE_DATE_MOVED: [*_DOSSIER, "original_due_at", "new_due_at", "changed_days", "agency_name"],
    DUE_DATE_SET: [*_DOSSIER, "event_name", "event_at", "due_at", "agency_name"],
    # ``result_url``: the absolute link that downloads the result on the applicant's own pages (an online
    # dossier); ``tracking_number``: the postal tracking number of a result sent by post.
    RESULT_READY: [*_DOSSIER, "result_name", "result_number", "result_date", "result_url", "tracking_number",
                   "ready_at", "pickup_place", "rating_url"],
    CONFIRMATION_CODE: ["recipient_name", "code", "valid_minutes"],
    PASSWORD_RESET: ["recipient_name", "reset_url", "valid_hours"],
    REGISTRATION_EXISTS: ["recipient_name", "login_url", "reset_url"],
    IDENTIFIER_IN_USE: ["recipient_name", "login_url"],
    # ``new_address``: the new e-mail or phone, masked; ``hotline``: whom to call if it was not the holder.
    IDENTIFIER_CHANGED: ["recipient_name", "new_address", "changed_at", "hotline"],
    LATE_FLAGGED: [*_STAFF, "due_at", "apology_by"],
    APOLOGY_REMINDER: [*_STAFF, "officer_name", "due_at", "apology_by"],
    ESCALATED: [*_STAFF, "officer_name", "unit_name", "due_at", "limit", "apologised"],
    CONSULTATION_LATE: [*_STAFF, "consulted_unit", "consultation_due_at"],
    FEEDBACK_RECEIVED: [*_FEEDBACK],
    # ``status``: the item's status value (forwarded, rejected, merged, info_requested, or any other when the
    # time was extended, ``extended`` then true); ``merged_into``/``merged_url``: the item to follow.
    FEEDBACK_STATUS: [*_FEEDBACK, "status", "reason", "forwarded_to", "info_request", "merged_into",
                      "merged_url", "extended"],
    FEEDBACK_ANSWERED: [*_FEEDBACK, "answer"],
    FEEDBACK_LATE: ["recipient_name", "feedback_code", "title", "answer_due", "item_url"],
    # ``survey_url``: the one-time link (absolute); ``closes_at``: when it stops working.
    SURVEY_INVITATION: ["recipient_name", "dossier_code", "procedure_name", "agency_name", "survey_url", "closes_at",
                        "hotline"],
    SURVEY_REMINDER: ["recipient_name", "dossier_code", "procedure_name", "agency_name", "survey_url", "closes_at",
                      "hotline"],
    # ``assessment_url``: the assessment's page (absolute); ``appeal_until``: the end of the appeal window.
    REFORM_SUBMITTED: ["recipient_name", "agency_name", "tree_name", "self_total", "assessment_url"],
    REFORM_APPRAISED: ["recipient_name", "agency_name", "tree_name", "total", "appeal_until", "assessment_url"],
    # ``page_url``: the page that lists the differences and applies them (absolute).
    NATIONAL_CATALOGUE_BEHIND: ["recipient_name", "new_count", "changed_count", "compared_at", "page_url"],
    # ``request_label``: what is asked ("Correction: Address"); ``due_at``: the answer's due date (an operating
    # choice, ``MOTCUA_CORRECTION_ANSWER_WORKING_DAYS``); ``queue_url``: the agency's queue.
    DATA_REQUEST_RECEIVED: ["recipient_name", "dossier_code", "request_label", "due_at", "queue_url"],
    # ``accepted``: done (corrected) or refused; ``answer``: the agency's reason or note.
    DATA_REQUEST_ANSWERED: ["recipient_name", "dossier_code", "request_label", "accepted", "answer", "page_url"],
}

_WHEN = '{{ %s|date:"H:i d/m/Y" }}'
_FOOTER_VI = "\n\nTra cứu hồ sơ: {{ lookup_url }}\nĐường dây nóng: {{ hotline }}"
_FOOTER_EN = "\n\nTrack the dossier: {{ lookup_url }}\nHotline: {{ hotline }}"
_FEEDBACK_FOOTER_VI = ("\n\nTra cứu phản ánh, kiến nghị: {{ lookup_url }}"
                       "{% if hotline %}\nĐường dây nóng: {{ hotline }}{% endif %}")
_FEEDBACK_FOOTER_EN = "\n\nTrack your feedback: {{ lookup_url }}{% if hotline %}\nHotline: {{ hotline }}{% endif %}"

# (key, language, channel, subject, body)
TEMPLATES: list[tuple[str, str, str, str, str]] = [
    (STATUS_CHANGED, "vi", "any",
     "Hồ sơ {{ dossier_code }}: {{ status_label }}",
     "Kính gửi {{ recipient_name }},\n\n"
     "Hồ sơ {{ dossier_code }} ({{ procedure_name }}) đã chuyển sang trạng thái: {{ status_label }}"
     " lúc " + _WHEN % "changed_at" + ".\n\n"
     "Tiếp nhận: {{ receiving_unit }}{% if receiving_officer %} - {{ receiving_officer }}{% endif %}, lúc "
     + _WHEN % "received_at" + ".\n"
     "Xử lý: {{ processing_unit|default:\"chưa phân công\" }}"
     "{% if processing_officer %} - {{ processing_officer }}{% endif %}.\n"
     "Hẹn trả kết quả: " + _WHEN % "due_at" + ".{% if note %}\n\nGhi chú: {{ note }}{% endif %}" + _FOOTER_VI),
    (STATUS_CHANGED, "en", "any",
     "Dossier {{ dossier_code }}: {{ status_label }}",
     "Dear {{ recipient_name }},\n\n"
     "Dossier {{ dossier_code }} ({{ procedure_name }}) is now: {{ status_label }}, since "
     + _WHEN % "changed_at" + ".\n\n"
     "Received by: {{ receiving_unit }}{% if receiving_officer %} - {{ receiving_officer }}{% endif %}, at "
     + _WHEN % "received_at" + ".\n"
     "Processed by: {{ processing_unit|default:\"not yet assigned\" }}"
     "{% if processing_officer %} - {{ processing_officer }}{% endif %}.\n"
     "Result promised for: " + _WHEN % "due_at" + ".{% if note %}\n\nNote: {{ note }}{% endif %}" + _FOOTER_EN),
    (STATUS_CHANGED, "vi", "sms", "",
     "Ho so {{ dossier_code }}: {{ status_label }} luc " + _WHEN % "changed_at" + ". Hen tra "
     + _WHEN % "due_at" + ". Tra cuu: {{ lookup_url }}"),
    (STATUS_CHANGED, "en", "sms", "",
     "Dossier {{ dossier_code }}: {{ status_label }} at " + _WHEN % "changed_at" + ". Due "
     + _WHEN % "due_at" + ". Track: {{ lookup_url }}"),

    (RECEIVED, "vi", "any",
     "Đã tiếp nhận hồ sơ {{ dossier_code }}",
     "Kính gửi {{ recipient_name }},\n\n"
     "{{ receiving_unit }} đã tiếp nhận hồ sơ {{ procedure_name }} lúc " + _WHEN % "received_at" + ".\n"
     "Mã hồ sơ: {{ dossier_code }}{% if receiving_officer %}\nCán bộ tiếp nhận: {{ receiving_officer }}{% endif %}\n"
     "Hẹn trả kết quả: " + _WHEN % "due_at" + "." + _FOOTER_VI),
    (RECEIVED, "en", "any",
     "Dossier {{ dossier_code }} received",
     "Dear {{ recipient_name }},\n\n"
     "{{ receiving_unit }} received your dossier for {{ procedure_name }} at " + _WHEN % "received_at" + ".\n"
     "Dossier code: {{ dossier_code }}{% if receiving_officer %}\nReceived by: {{ receiving_officer }}{% endif %}\n"
     "Result promised for: " + _WHEN % "due_at" + "." + _FOOTER_EN),
    (RECEIVED, "vi", "sms", "",
     "Da tiep nhan ho so {{ dossier_code }} luc " + _WHEN % "received_at" + ". Hen tra " + _WHEN % "due_at"
     + ". Tra cuu: {{ lookup_url }}"),
    (RECEIVED, "en", "sms", "",
     "Dossier {{ dossier_code }} received at " + _WHEN % "received_at" + ". Due " + _WHEN % "due_at"
     + ". Track: {{ lookup_url }}"),

    (SUPPLEMENT_REQUESTED, "vi", "any",
     "Hồ sơ {{ dossier_code }} cần bổ sung",
     "Kính gửi {{ recipient_name }},\n\n"
     "Hồ sơ {{ dossier_code }} ({{ procedure_name }}) cần bổ sung, hoàn thiện các giấy tờ sau:\n"
     "{% for item in missing %}{{ forloop.counter }}. {{ item.document }}"
     "{% if item.reason %}: {{ item.reason }}{% endif %}\n{% endfor %}"
     "{% if cover_note %}\nÝ kiến của cán bộ: {{ cover_note }}\n{% endif %}"
     "{% if respond_by %}\nHạn bổ sung: hết ngày {{ respond_by|date:\"d/m/Y\" }}.\n{% endif %}\n"
     "Người hướng dẫn: {{ contact_name }}{% if contact_phone %}, điện thoại {{ contact_phone }}{% endif %}."
     + _FOOTER_VI),
    (SUPPLEMENT_REQUESTED, "en", "any",
     "Dossier {{ dossier_code }} needs more documents",
     "Dear {{ recipient_name }},\n\n"
     "Dossier {{ dossier_code }} ({{ procedure_name }}) needs the following to be supplied or corrected:\n"
     "{% for item in missing %}{{ forloop.counter }}. {{ item.document }}"
     "{% if item.reason %}: {{ item.reason }}{% endif %}\n{% endfor %}"
     "{% if cover_note %}\nThe officer's note: {{ cover_note }}\n{% endif %}"
     "{% if respond_by %}\nSupplement by the end of {{ respond_by|date:\"d/m/Y\" }}.\n{% endif %}\n"
     "Contact: {{ contact_name }}{% if contact_phone %}, phone {{ contact_phone }}{% endif %}." + _FOOTER_EN),
    (SUPPLEMENT_REQUESTED, "vi", "sms", "",
     "Ho so {{ dossier_code }} can bo sung {{ missing|length }} giay to. Chi tiet: {{ lookup_url }}"),
    (SUPPLEMENT_REQUESTED, "en", "sms", "",
     "Dossier {{ dossier_code }} needs {{ missing|length }} more document(s). Details: {{ lookup_url }}"),

    (PAYMENT_REQUESTED, "vi", "any",
     "Hồ sơ {{ dossier_code }}: đề nghị nộp phí, lệ phí",
     "Kính gửi {{ recipient_name }},\n\n"
     "Hồ sơ {{ dossier_code }} ({{ procedure_name }}) cần nộp {{ fee_name }}: "
     "{{ amount_vnd|floatformat:\"0g\" }} đồng{% if pay_by %}, trước " + _WHEN % "pay_by" + "{% endif %}.\n"
     "{% if pay_url %}Nộp trực tuyến: {{ pay_url }}{% endif %}" + _FOOTER_VI),
    (PAYMENT_REQUESTED, "en", "any",
     "Dossier {{ dossier_code }}: payment requested",
     "Dear {{ recipient_name }},\n\n"
     "Dossier {{ dossier_code }} ({{ procedure_name }}) requires payment of {{ fee_name }}: "
     "{{ amount_vnd|floatformat:\"0g\" }} VND{% if pay_by %}, by " + _WHEN % "pay_by" + "{% endif %}.\n"
     "{% if pay_url %}Pay online: {{ pay_url }}{% endif %}" + _FOOTER_EN),
    (PAYMENT_REQUESTED, "vi", "sms", "",
     "Ho so {{ dossier_code }}: de nghi nop {{ amount_vnd|floatformat:\"0g\" }} dong. "
     "{{ pay_url|default:lookup_url }}"),
    (PAYMENT_REQUESTED, "en", "sms", "",
     "Dossier {{ dossier_code }}: please pay {{ amount_vnd|floatformat:\"0g\" }} VND. "
     "{{ pay_url|default:lookup_url }}"),

    (APOLOGY, "vi", "any",
     "Xin lỗi về việc trễ hạn hồ sơ {{ dossier_code }}",
     "Kính gửi {{ recipient_name }},\n\n"
     "{{ agency_name }} xin lỗi vì hồ sơ {{ dossier_code }} ({{ procedure_name }}) không thể trả kết quả "
     "đúng hẹn lúc " + _WHEN % "original_due_at" + ".\n"
     "Lý do: {{ reason }}\n"
     "Thời gian hẹn trả kết quả mới: " + _WHEN % "new_due_at" + "." + _FOOTER_VI),
    (APOLOGY, "en", "any",
     "Apology: dossier {{ dossier_code }} is delayed",
     "Dear {{ recipient_name }},\n\n"
     "{{ agency_name }} apologises: the result of dossier {{ dossier_code }} ({{ procedure_name }}) cannot be "
     "returned as promised at " + _WHEN % "original_due_at" + ".\n"
     "Reason: {{ reason }}\n"
     "New return date: " + _WHEN % "new_due_at" + "." + _FOOTER_EN),
    (APOLOGY, "vi", "sms", "",
     "Xin loi: ho so {{ dossier_code }} tre hen. Hen tra moi " + _WHEN % "new_due_at" + ". {{ lookup_url }}"),
    (APOLOGY, "en", "sms", "",
     "Sorry: dossier {{ dossier_code }} is delayed. New date " + _WHEN % "new_due_at" + ". {{ lookup_url }}"),

    (DUE_DATE_MOVED, "vi", "any",
     "Hồ sơ {{ dossier_code }}: thay đổi thời gian hẹn trả kết quả",
     "Kính gửi {{ recipient_name }},\n\n"
     "Do điều chỉnh lịch nghỉ, làm việc chính thức{% if changed_days %} (ngày {{ changed_days }}){% endif %}, "
     "thời gian hẹn trả kết quả hồ sơ {{ dossier_code }} ({{ procedure_name }}) của {{ agency_name }} "
     "thay đổi từ " + _WHEN % "original_due_at" + " thành " + _WHEN % "new_due_at" + "." + _FOOTER_VI),
    (DUE_DATE_MOVED, "en", "any",
     "Dossier {{ dossier_code }}: new return date",
     "Dear {{ recipient_name }},\n\n"
     "Because the official schedule of days off and working days changed{% if changed_days %} "
     "({{ changed_days }}){% endif %}, the return date of dossier {{ dossier_code }} ({{ procedure_name }}) at "
     "{{ agency_name }} moves from " + _WHEN % "original_due_at" + " to " + _WHEN % "new_due_at" + "."
     + _FOOTER_EN),
    (DUE_DATE_MOVED, "vi", "sms", "",
     "Ho so {{ dossier_code }}: hen tra ket qua moi " + _WHEN % "new_due_at" + " do dieu chinh lich nghi. "
     "{{ lookup_url }}"),
    (DUE_DATE_MOVED, "en", "sms", "",
     "Dossier {{ dossier_code }}: new return date " + _WHEN % "new_due_at" + " (calendar change). {{ lookup_url }}"),

    (DUE_DATE_SET, "vi", "any",
     "Hồ sơ {{ dossier_code }}: thời gian hẹn trả kết quả",
     "Kính gửi {{ recipient_name }},\n\n"
     "Thời gian giải quyết hồ sơ {{ dossier_code }} ({{ procedure_name }}) của {{ agency_name }} được tính từ "
     "khi có {{ event_name }} (" + _WHEN % "event_at" + ").\n"
     "Hẹn trả kết quả: " + _WHEN % "due_at" + "." + _FOOTER_VI),
    (DUE_DATE_SET, "en", "any",
     "Dossier {{ dossier_code }}: return date",
     "Dear {{ recipient_name }},\n\n"
     "The time limit of dossier {{ dossier_code }} ({{ procedure_name }}) at {{ agency_name }} counts from the "
     "{{ event_name }} (" + _WHEN % "event_at" + ").\n"
     "Result promised for: " + _WHEN % "due_at" + "." + _FOOTER_EN),
    (DUE_DATE_SET, "vi", "sms", "",
     "Ho so {{ dossier_code }}: hen tra ket qua " + _WHEN % "due_at" + ". {{ lookup_url }}"),
    (DUE_DATE_SET, "en", "sms", "",
     "Dossier {{ dossier_code }}: result promised for " + _WHEN % "due_at" + ". {{ lookup_url }}"),

    (RESULT_READY, "vi", "any",
     "Hồ sơ {{ dossier_code }} đã có kết quả",
     "Kính gửi {{ recipient_name }},\n\n"
     "Hồ sơ {{ dossier_code }} ({{ procedure_name }}) đã có kết quả{% if result_name %}: {{ result_name }}"
     "{% endif %}{% if result_number %}, số {{ result_number }}{% endif %}"
     "{% if result_date %} ngày {{ result_date|date:\"d/m/Y\" }}{% endif %}, từ " + _WHEN % "ready_at" + ".\n"
     "{% if result_url %}Tải kết quả (đăng nhập tài khoản của Quý vị): {{ result_url }}\n{% endif %}"
     "{% if tracking_number %}Kết quả đã gửi qua bưu chính, số hiệu bưu gửi: {{ tracking_number }}\n{% endif %}"
     "{% if pickup_place %}Nơi nhận kết quả: {{ pickup_place }}\n{% endif %}"
     "{% if rating_url %}Mời Quý vị đánh giá mức độ hài lòng: {{ rating_url }}\n{% endif %}" + _FOOTER_VI),
    (RESULT_READY, "en", "any",
     "Dossier {{ dossier_code }}: the result is ready",
     "Dear {{ recipient_name }},\n\n"
     "The result of dossier {{ dossier_code }} ({{ procedure_name }}) is ready{% if result_name %}: "
     "{{ result_name }}{% endif %}{% if result_number %}, no. {{ result_number }}{% endif %}"
     "{% if result_date %} of {{ result_date|date:\"d/m/Y\" }}{% endif %}, since " + _WHEN % "ready_at" + ".\n"
     "{% if result_url %}Download the result (sign in to your account): {{ result_url }}\n{% endif %}"
     "{% if tracking_number %}The result was sent by post, tracking number: {{ tracking_number }}\n{% endif %}"
     "{% if pickup_place %}Collect it at: {{ pickup_place }}\n{% endif %}"
     "{% if rating_url %}Please rate the service: {{ rating_url }}\n{% endif %}" + _FOOTER_EN),
    (RESULT_READY, "vi", "sms", "",
     "Ho so {{ dossier_code }} da co ket qua{% if result_number %} so {{ result_number }}{% endif %}. "
     "{% if tracking_number %}Buu gui: {{ tracking_number }}. {% endif %}"
     "{% if pickup_place %}Nhan tai: {{ pickup_place }}. {% endif %}{{ result_url|default:lookup_url }}"),
    (RESULT_READY, "en", "sms", "",
     "Dossier {{ dossier_code }}: result ready{% if result_number %}, no. {{ result_number }}{% endif %}. "
     "{% if tracking_number %}Post: {{ tracking_number }}. {% endif %}"
     "{% if pickup_place %}Collect at: {{ pickup_place }}. {% endif %}{{ result_url|default:lookup_url }}"),

    (PASSWORD_RESET, "vi", "any",
     "Đặt lại mật khẩu",
     "Kính gửi {{ recipient_name }},\n\nĐể đặt mật khẩu mới cho tài khoản của Quý vị, mở đường dẫn sau (dùng một lần, "
     "trong {{ valid_hours }} giờ): {{ reset_url }}\nNếu Quý vị không yêu cầu, hãy bỏ qua tin này."),
    (PASSWORD_RESET, "en", "any",
     "Choose a new password",
     "Dear {{ recipient_name }},\n\nTo choose a new password for your account, open this link (once, within "
     "{{ valid_hours }} hours): {{ reset_url }}\nIf you did not ask for it, ignore this message."),
    (PASSWORD_RESET, "vi", "sms", "",
     "Dat lai mat khau (dung 1 lan, {{ valid_hours }} gio): {{ reset_url }} Khong chia se duong dan nay."),
    (PASSWORD_RESET, "en", "sms", "",
     "New password (once, {{ valid_hours }} h): {{ reset_url }} Do not share this link."),

    (REGISTRATION_EXISTS, "vi", "any",
     "Có người đăng ký tài khoản bằng địa chỉ của Quý vị",
     "Kính gửi {{ recipient_name }},\n\nVừa có yêu cầu tạo tài khoản mới bằng thư điện tử hoặc số điện thoại này, "
     "nhưng địa chỉ này đã có tài khoản. Nếu đó là Quý vị, hãy đăng nhập: {{ login_url }}\n"
     "Nếu quên mật khẩu, hãy đặt lại: {{ reset_url }}\nNếu không phải Quý vị, hãy bỏ qua tin này."),
    (REGISTRATION_EXISTS, "en", "any",
     "Someone tried to register with your address",
     "Dear {{ recipient_name }},\n\nSomeone asked to create a new account with this e-mail or phone, which "
     "already has an account. If it was you, sign in: {{ login_url }}\n"
     "If you forgot your password, choose a new one: {{ reset_url }}\nIf it was not you, ignore this message."),
    (REGISTRATION_EXISTS, "vi", "sms", "",
     "So nay da co tai khoan. Dang nhap: {{ login_url }} Quen mat khau: {{ reset_url }}"),
    (REGISTRATION_EXISTS, "en", "sms", "",
     "This number already has an account. Sign in: {{ login_url }} Forgot password: {{ reset_url }}"),

    (IDENTIFIER_IN_USE, "vi", "any",
     "Có người muốn dùng địa chỉ của Quý vị để đăng nhập tài khoản khác",
     "Kính gửi {{ recipient_name }},\n\nVừa có yêu cầu dùng thư điện tử hoặc số điện thoại này để đăng nhập một "
     "tài khoản khác, nhưng địa chỉ này đã thuộc tài khoản của Quý vị. Không có gì thay đổi: tài khoản của Quý vị "
     "vẫn như cũ. Nếu đó là Quý vị, hãy đăng nhập bằng địa chỉ này: {{ login_url }}\n"
     "Nếu không phải Quý vị, hãy bỏ qua tin này."),
    (IDENTIFIER_IN_USE, "en", "any",
     "Someone asked to use your address to sign in to another account",
     "Dear {{ recipient_name }},\n\nSomeone asked to make this e-mail or phone the sign-in of another account, "
     "but it belongs to your account. Nothing was changed: your account stays as it is. If it was you, sign in "
     "with this address: {{ login_url }}\nIf it was not you, ignore this message."),
    (IDENTIFIER_IN_USE, "vi", "sms", "",
     "So nay da thuoc tai khoan cua Quy vi, khong thay doi gi. Dang nhap: {{ login_url }}"),
    (IDENTIFIER_IN_USE, "en", "sms", "",
     "This number belongs to your account; nothing changed. Sign in: {{ login_url }}"),

    (IDENTIFIER_CHANGED, "vi", "any",
     "Địa chỉ đăng nhập tài khoản của Quý vị đã được thay đổi",
     "Kính gửi {{ recipient_name }},\n\nLúc " + _WHEN % "changed_at" + ", thư điện tử hoặc số điện thoại dùng "
     "để đăng nhập tài khoản của Quý vị đã được đổi thành {{ new_address }}; từ nay tin nhắn và mã xác nhận được "
     "gửi đến địa chỉ mới, và các phiên đăng nhập khác đã kết thúc.\n"
     "Nếu không phải Quý vị thay đổi, hãy liên hệ ngay Bộ phận Một cửa{% if hotline %} (đường dây nóng: "
     "{{ hotline }}){% endif %}."),
    (IDENTIFIER_CHANGED, "en", "any",
     "The sign-in address of your account was changed",
     "Dear {{ recipient_name }},\n\nAt " + _WHEN % "changed_at" + ", the e-mail or phone used to sign in to your "
     "account was changed to {{ new_address }}; messages and codes now go to the new address, and the other "
     "sessions were signed out.\nIf you did not make this change, contact the one-stop desk at once"
     "{% if hotline %} (hotline: {{ hotline }}){% endif %}."),
    (IDENTIFIER_CHANGED, "vi", "sms", "",
     "Dia chi dang nhap tai khoan da doi thanh {{ new_address }}. Neu khong phai Quy vi, lien he ngay Bo phan "
     "Mot cua{% if hotline %} {{ hotline }}{% endif %}."),
    (IDENTIFIER_CHANGED, "en", "sms", "",
     "Your sign-in address was changed to {{ new_address }}. Not you? Call the one-stop desk"
     "{% if hotline %} {{ hotline }}{% endif %} at once."),

    (CONFIRMATION_CODE, "vi", "any",
     "Mã xác nhận: {{ code }}",
     "Kính gửi {{ recipient_name }},\n\nMã xác nhận của Quý vị là {{ code }}, có hiệu lực trong "
     "{{ valid_minutes }} phút. Không chia sẻ mã này với bất kỳ ai."),
    (CONFIRMATION_CODE, "en", "any",
     "Confirmation code: {{ code }}",
     "Dear {{ recipient_name }},\n\nYour confirmation code is {{ code }}, valid for {{ valid_minutes }} minutes. "
     "Do not share it with anyone."),
    (CONFIRMATION_CODE, "vi", "sms", "",
     "Ma xac nhan: {{ code }} (hieu luc {{ valid_minutes }} phut). Khong chia se ma nay."),
    (CONFIRMATION_CODE, "en", "sms", "",
     "Confirmation code: {{ code }} (valid {{ valid_minutes }} min). Do not share it."),

    # --- to the officers -------------------------------------------------------------------------------
    (LATE_FLAGGED, "vi", "any",
     "Hồ sơ {{ dossier_code }} có nguy cơ trễ hạn",
     "Kính gửi {{ recipient_name }},\n\n"
     "Hồ sơ {{ dossier_code }} ({{ procedure_name }}) do Quý vị xử lý có nguy cơ trễ hạn: thời gian còn lại "
     "không đủ cho các bước xử lý còn lại. Hạn trả kết quả: " + _WHEN % "due_at" + ".\n"
     "{% if apology_by %}Nếu không thể trả kết quả đúng hạn, văn bản xin lỗi và hẹn lại ngày trả kết quả phải "
     "được gửi người nộp chậm nhất lúc " + _WHEN % "apology_by" + " (Nghị định 61/2018/NĐ-CP, Điều 19).\n"
     "{% endif %}\nXem hồ sơ: {{ dossier_url }}"),
    (LATE_FLAGGED, "en", "any",
     "Dossier {{ dossier_code }} is at risk of being late",
     "Dear {{ recipient_name }},\n\n"
     "Dossier {{ dossier_code }} ({{ procedure_name }}), which you are processing, is at risk of being late: "
     "the time left does not cover the remaining steps. Due: " + _WHEN % "due_at" + ".\n"
     "{% if apology_by %}If the result cannot be returned on time, the apology letter with a new return date "
     "must reach the applicant by " + _WHEN % "apology_by" + " (Decree 61/2018, Art. 19).\n"
     "{% endif %}\nOpen the dossier: {{ dossier_url }}"),
    (LATE_FLAGGED, "vi", "sms", "",
     "Ho so {{ dossier_code }} co nguy co tre han (han " + _WHEN % "due_at" + ")."
     "{% if apology_by %} Xin loi truoc " + _WHEN % "apology_by" + ".{% endif %} {{ dossier_url }}"),
    (LATE_FLAGGED, "en", "sms", "",
     "Dossier {{ dossier_code }} at risk of being late (due " + _WHEN % "due_at" + ")."
     "{% if apology_by %} Apology by " + _WHEN % "apology_by" + ".{% endif %} {{ dossier_url }}"),

    (APOLOGY_REMINDER, "vi", "any",
     "Nhắc gửi văn bản xin lỗi: hồ sơ {{ dossier_code }}",
     "Kính gửi {{ recipient_name }},\n\n"
     "Hồ sơ {{ dossier_code }} ({{ procedure_name }}), cán bộ xử lý {{ officer_name }}, có nguy cơ không trả kết "
     "quả đúng hạn lúc " + _WHEN % "due_at" + ".\n"
     "Theo Nghị định 61/2018/NĐ-CP, Điều 19, văn bản xin lỗi người nộp, nêu rõ lý do và thời gian hẹn trả kết "
     "quả mới, phải được gửi chậm nhất lúc " + _WHEN % "apology_by" + ". Chỉ được hẹn lại một lần.\n\n"
     "Xem hồ sơ: {{ dossier_url }}"),
    (APOLOGY_REMINDER, "en", "any",
     "Reminder: apology due for dossier {{ dossier_code }}",
     "Dear {{ recipient_name }},\n\n"
     "Dossier {{ dossier_code }} ({{ procedure_name }}), processed by {{ officer_name }}, may not be returned on "
     "time at " + _WHEN % "due_at" + ".\n"
     "Under Decree 61/2018, Art. 19, the apology letter to the applicant, with the reason and a new return date, "
     "must be sent by " + _WHEN % "apology_by" + ". The date may be moved only once.\n\n"
     "Open the dossier: {{ dossier_url }}"),
    (APOLOGY_REMINDER, "vi", "sms", "",
     "Nhac: ho so {{ dossier_code }} can van ban xin loi truoc " + _WHEN % "apology_by" + ". {{ dossier_url }}"),
    (APOLOGY_REMINDER, "en", "sms", "",
     "Reminder: dossier {{ dossier_code }} needs an apology by " + _WHEN % "apology_by" + ". {{ dossier_url }}"),

    (ESCALATED, "vi", "any",
     "Hồ sơ {{ dossier_code }} trễ hạn cần lãnh đạo chỉ đạo",
     "Kính gửi {{ recipient_name }},\n\n"
     "Hồ sơ {{ dossier_code }} ({{ procedure_name }}) tại {{ unit_name }}, cán bộ xử lý {{ officer_name }}, "
     "{% if apologised %}vẫn chưa có kết quả dù đã hẹn lại ngày trả kết quả ("
     + _WHEN % "due_at" + "){% else %}chưa có văn bản xin lỗi người nộp trước thời hạn "
     + _WHEN % "limit" + " (Nghị định 61/2018/NĐ-CP, Điều 19); hạn trả kết quả: " + _WHEN % "due_at"
     + "{% endif %}.\n\nXem hồ sơ: {{ dossier_url }}"),
    (ESCALATED, "en", "any",
     "Dossier {{ dossier_code }} is late and needs your attention",
     "Dear {{ recipient_name }},\n\n"
     "Dossier {{ dossier_code }} ({{ procedure_name }}) at {{ unit_name }}, processed by {{ officer_name }}, "
     "{% if apologised %}has no result yet although a new return date was given ("
     + _WHEN % "due_at" + "){% else %}had no apology letter to the applicant by "
     + _WHEN % "limit" + " (Decree 61/2018, Art. 19); due: " + _WHEN % "due_at"
     + "{% endif %}.\n\nOpen the dossier: {{ dossier_url }}"),
    (ESCALATED, "vi", "sms", "",
     "Ho so {{ dossier_code }} tre han, can lanh dao chi dao (han " + _WHEN % "due_at" + "). {{ dossier_url }}"),
    (ESCALATED, "en", "sms", "",
     "Dossier {{ dossier_code }} is late and needs attention (due " + _WHEN % "due_at" + "). {{ dossier_url }}"),

    (CONSULTATION_LATE, "vi", "any",
     "Quá hạn lấy ý kiến: hồ sơ {{ dossier_code }}",
     "Kính gửi {{ recipient_name }},\n\n"
     "{{ consulted_unit }} chưa trả lời ý kiến về hồ sơ {{ dossier_code }} ({{ procedure_name }}) trước thời hạn "
     + _WHEN % "consultation_due_at" + ".\n\nXem hồ sơ: {{ dossier_url }}"),
    (CONSULTATION_LATE, "en", "any",
     "Opinion overdue: dossier {{ dossier_code }}",
     "Dear {{ recipient_name }},\n\n"
     "{{ consulted_unit }} has not given its opinion on dossier {{ dossier_code }} ({{ procedure_name }}), due at "
     + _WHEN % "consultation_due_at" + ".\n\nOpen the dossier: {{ dossier_url }}"),
    (CONSULTATION_LATE, "vi", "sms", "",
     "Ho so {{ dossier_code }}: qua han lay y kien ({{ consulted_unit }}). {{ dossier_url }}"),
    (CONSULTATION_LATE, "en", "sms", "",
     "Dossier {{ dossier_code }}: opinion overdue ({{ consulted_unit }}). {{ dossier_url }}"),

    # --- feedback and petitions (PAKN) -------------------------------------------------------------------
    (FEEDBACK_RECEIVED, "vi", "any",
     "Đã tiếp nhận phản ánh, kiến nghị {{ feedback_code }}",
     "Kính gửi {{ recipient_name|default:\"Quý vị\" }},\n\n"
     "{{ agency_name }} đã tiếp nhận phản ánh, kiến nghị “{{ title }}” lúc " + _WHEN % "received_at" + ".\n"
     "Mã số: {{ feedback_code }}\n"
     "Thời hạn xử lý: chậm nhất hết ngày {{ answer_due|date:\"d/m/Y\" }} (15 ngày làm việc).\n"
     "Phản ánh, kiến nghị về quy định hành chính không phải là khiếu nại, tố cáo; khiếu nại, tố cáo được giải "
     "quyết theo Luật Khiếu nại, Luật Tố cáo." + _FEEDBACK_FOOTER_VI),
    (FEEDBACK_RECEIVED, "en", "any",
     "Feedback {{ feedback_code }} received",
     "Dear {{ recipient_name|default:\"Sender\" }},\n\n"
     "{{ agency_name }} received your feedback “{{ title }}” at " + _WHEN % "received_at" + ".\n"
     "Code: {{ feedback_code }}\n"
     "To be answered by the end of {{ answer_due|date:\"d/m/Y\" }} (15 working days).\n"
     "Feedback on administrative regulations is not a complaint or a denunciation; those are handled under the "
     "Law on Complaints and the Law on Denunciations." + _FEEDBACK_FOOTER_EN),
    (FEEDBACK_RECEIVED, "vi", "sms", "",
     "Da tiep nhan phan anh {{ feedback_code }}. Han tra loi {{ answer_due|date:\"d/m/Y\" }}. "
     "Tra cuu: {{ lookup_url }}"),
    (FEEDBACK_RECEIVED, "en", "sms", "",
     "Feedback {{ feedback_code }} received. Answer due {{ answer_due|date:\"d/m/Y\" }}. Track: {{ lookup_url }}"),

    (FEEDBACK_STATUS, "vi", "any",
     "Phản ánh, kiến nghị {{ feedback_code }}: {% if extended %}gia hạn thời gian xử lý{% else %}"
     "{{ status_label }}{% endif %}",
     "Kính gửi {{ recipient_name|default:\"Quý vị\" }},\n\n"
     "Về phản ánh, kiến nghị {{ feedback_code }} (“{{ title }}”) gửi {{ agency_name }}:\n\n"
     "{% if extended %}Thời hạn xử lý được gia hạn đến hết ngày {{ answer_due|date:\"d/m/Y\" }}."
     "{% elif status == \"forwarded\" %}Phản ánh, kiến nghị không thuộc thẩm quyền của {{ agency_name }} và đã "
     "được chuyển đến {{ forwarded_to }} để xem xét, xử lý.\nLý do: {{ reason }}"
     "{% elif status == \"rejected\" %}Phản ánh, kiến nghị không được tiếp nhận xử lý.\nLý do: {{ reason }}\n"
     "Nếu nội dung là khiếu nại hoặc tố cáo, đề nghị Quý vị gửi đến cơ quan có thẩm quyền giải quyết theo Luật "
     "Khiếu nại, Luật Tố cáo."
     "{% elif status == \"merged\" %}Nội dung trùng với phản ánh, kiến nghị {{ merged_into }} đã tiếp nhận trước "
     "và được gộp để xử lý chung. Quý vị theo dõi kết quả tại: {{ merged_url }}"
     "{% elif status == \"info_requested\" %}Để xử lý, đề nghị Quý vị cung cấp thêm thông tin sau:\n"
     "{{ info_request }}\nQuý vị trả lời tại trang tra cứu: {{ lookup_url }}"
     "{% else %}Trạng thái hiện tại: {{ status_label }}.{% endif %}" + _FEEDBACK_FOOTER_VI),
    (FEEDBACK_STATUS, "en", "any",
     "Feedback {{ feedback_code }}: {% if extended %}time limit extended{% else %}{{ status_label }}{% endif %}",
     "Dear {{ recipient_name|default:\"Sender\" }},\n\n"
     "About your feedback {{ feedback_code }} (“{{ title }}”) to {{ agency_name }}:\n\n"
     "{% if extended %}The time to answer is extended to the end of {{ answer_due|date:\"d/m/Y\" }}."
     "{% elif status == \"forwarded\" %}It is outside the remit of {{ agency_name }} and was forwarded to "
     "{{ forwarded_to }} to handle.\nReason: {{ reason }}"
     "{% elif status == \"rejected\" %}It was not accepted.\nReason: {{ reason }}\n"
     "If it is a complaint or a denunciation, please send it to the competent authority under the Law on "
     "Complaints or the Law on Denunciations."
     "{% elif status == \"merged\" %}It has the same content as the earlier item {{ merged_into }} and is "
     "handled with it. Follow the result at: {{ merged_url }}"
     "{% elif status == \"info_requested\" %}To handle it, please give us the following:\n{{ info_request }}\n"
     "Answer on the tracking page: {{ lookup_url }}"
     "{% else %}It is now: {{ status_label }}.{% endif %}" + _FEEDBACK_FOOTER_EN),
    (FEEDBACK_STATUS, "vi", "sms", "",
     "PAKN {{ feedback_code }}: {% if extended %}gia han xu ly den {{ answer_due|date:\"d/m/Y\" }}. {{ lookup_url }}"
     "{% elif status == \"forwarded\" %}da chuyen den {{ forwarded_to }}. {{ lookup_url }}"
     "{% elif status == \"rejected\" %}khong duoc tiep nhan, xem ly do: {{ lookup_url }}"
     "{% elif status == \"merged\" %}gop voi {{ merged_into }}, theo doi tai: {{ merged_url }}"
     "{% elif status == \"info_requested\" %}can bo sung thong tin, tra loi tai: {{ lookup_url }}"
     "{% else %}{{ status_label }}. {{ lookup_url }}{% endif %}"),
    (FEEDBACK_STATUS, "en", "sms", "",
     "Feedback {{ feedback_code }}: {% if extended %}extended to {{ answer_due|date:\"d/m/Y\" }}. {{ lookup_url }}"
     "{% elif status == \"forwarded\" %}forwarded to {{ forwarded_to }}. {{ lookup_url }}"
     "{% elif status == \"rejected\" %}not accepted, reason at: {{ lookup_url }}"
     "{% elif status == \"merged\" %}merged with {{ merged_into }}, follow it at: {{ merged_url }}"
     "{% elif status == \"info_requested\" %}more information needed, answer at: {{ lookup_url }}"
     "{% else %}{{ status_label }}. {{ lookup_url }}{% endif %}"),

    (FEEDBACK_ANSWERED, "vi", "any",
     "Trả lời phản ánh, kiến nghị {{ feedback_code }}",
     "Kính gửi {{ recipient_name|default:\"Quý vị\" }},\n\n"
     "{{ agency_name }} trả lời phản ánh, kiến nghị {{ feedback_code }} (“{{ title }}”) như sau:\n\n"
     "{{ answer }}\n\n"
     "Quý vị có thể cho biết mức độ hài lòng với câu trả lời, hoặc phản ánh tiếp, tại trang tra cứu."
     + _FEEDBACK_FOOTER_VI),
    (FEEDBACK_ANSWERED, "en", "any",
     "Answer to your feedback {{ feedback_code }}",
     "Dear {{ recipient_name|default:\"Sender\" }},\n\n"
     "{{ agency_name }} answers your feedback {{ feedback_code }} (“{{ title }}”):\n\n"
     "{{ answer }}\n\n"
     "You can say whether the answer satisfies you, or follow it up, on the tracking page." + _FEEDBACK_FOOTER_EN),
    (FEEDBACK_ANSWERED, "vi", "sms", "",
     "PAKN {{ feedback_code }} da co tra loi. Xem va danh gia: {{ lookup_url }}"),
    (FEEDBACK_ANSWERED, "en", "sms", "",
     "Feedback {{ feedback_code }} has been answered. Read and rate: {{ lookup_url }}"),

    (FEEDBACK_LATE, "vi", "any",
     "Phản ánh, kiến nghị {{ feedback_code }} quá hạn xử lý",
     "Kính gửi {{ recipient_name }},\n\n"
     "Phản ánh, kiến nghị {{ feedback_code }} (“{{ title }}”) đã quá thời hạn của một bước xử lý (từ chối trong "
     "2, chuyển trong 5, đề nghị bổ sung thông tin trong 5, xử lý trong 15, công khai trong 2 ngày làm việc). "
     "Hạn xử lý: hết ngày {{ answer_due|date:\"d/m/Y\" }}.\n\nXem phản ánh, kiến nghị: {{ item_url }}"),
    (FEEDBACK_LATE, "en", "any",
     "Feedback {{ feedback_code }} is late",
     "Dear {{ recipient_name }},\n\n"
     "Feedback {{ feedback_code }} (“{{ title }}”) is past the limit of one of its steps (reject within 2, "
     "forward within 5, ask for more information within 5, handle within 15, publish within 2 working days). "
     "Answer due: end of {{ answer_due|date:\"d/m/Y\" }}.\n\nOpen the item: {{ item_url }}"),
    (FEEDBACK_LATE, "vi", "sms", "",
     "PAKN {{ feedback_code }} qua han xu ly (han {{ answer_due|date:\"d/m/Y\" }}). {{ item_url }}"),
    (FEEDBACK_LATE, "en", "sms", "",
     "Feedback {{ feedback_code }} is late (due {{ answer_due|date:\"d/m/Y\" }}). {{ item_url }}"),

    # --- satisfaction surveys (SIPAS campaigns) ------------------------------------------------------------
    (SURVEY_INVITATION, "vi", "any",
     "Mời Quý vị đánh giá sự phục vụ của {{ agency_name }}",
     "Kính gửi {{ recipient_name|default:\"Quý vị\" }},\n\n"
     "{{ agency_name }} đã giải quyết hồ sơ {{ dossier_code }} ({{ procedure_name }}) của Quý vị. Để nâng cao chất "
     "lượng phục vụ, chúng tôi mời Quý vị trả lời phiếu khảo sát sự hài lòng (khoảng 5 phút) tại:\n"
     "{{ survey_url }}\n\n"
     "Phiếu không ghi tên Quý vị; câu trả lời chỉ được tổng hợp thành số liệu chung. Đường dẫn dùng một lần, "
     "đến hết ngày {{ closes_at|date:\"d/m/Y\" }}.{% if hotline %}\nĐường dây nóng: {{ hotline }}{% endif %}"),
    (SURVEY_INVITATION, "en", "any",
     "Please rate the service of {{ agency_name }}",
     "Dear {{ recipient_name|default:\"Sir or Madam\" }},\n\n"
     "{{ agency_name }} has handled your dossier {{ dossier_code }} ({{ procedure_name }}). To improve its service, "
     "we invite you to answer a satisfaction survey (about 5 minutes) at:\n"
     "{{ survey_url }}\n\n"
     "The survey does not record your name; answers are only counted together. The link works once, until the "
     "end of {{ closes_at|date:\"d/m/Y\" }}.{% if hotline %}\nHotline: {{ hotline }}{% endif %}"),
    (SURVEY_INVITATION, "vi", "sms", "",
     "Moi Quy vi danh gia su hai long ve ho so {{ dossier_code }} (den {{ closes_at|date:\"d/m\" }}): "
     "{{ survey_url }}"),
    (SURVEY_INVITATION, "en", "sms", "",
     "Please rate the service on dossier {{ dossier_code }} (until {{ closes_at|date:\"d/m\" }}): {{ survey_url }}"),
    (SURVEY_REMINDER, "vi", "any",
     "Nhắc: mời Quý vị đánh giá sự phục vụ của {{ agency_name }}",
     "Kính gửi {{ recipient_name|default:\"Quý vị\" }},\n\n"
     "Chúng tôi chưa nhận được phiếu khảo sát sự hài lòng của Quý vị về hồ sơ {{ dossier_code }} "
     "({{ procedure_name }}). Ý kiến của Quý vị giúp {{ agency_name }} phục vụ tốt hơn. Mời Quý vị trả lời tại:\n"
     "{{ survey_url }}\n\n"
     "Đường dẫn này thay cho đường dẫn đã gửi trước; dùng một lần, đến hết ngày {{ closes_at|date:\"d/m/Y\" }}. "
     "Đây là lời nhắc duy nhất.{% if hotline %}\nĐường dây nóng: {{ hotline }}{% endif %}"),
    (SURVEY_REMINDER, "en", "any",
     "Reminder: please rate the service of {{ agency_name }}",
     "Dear {{ recipient_name|default:\"Sir or Madam\" }},\n\n"
     "We have not yet received your satisfaction survey about dossier {{ dossier_code }} ({{ procedure_name }}). "
     "Your opinion helps {{ agency_name }} serve better. Please answer at:\n"
     "{{ survey_url }}\n\n"
     "This link replaces the one sent before; it works once, until the end of {{ closes_at|date:\"d/m/Y\" }}. "
     "This is the only reminder.{% if hotline %}\nHotline: {{ hotline }}{% endif %}"),
    (SURVEY_REMINDER, "vi", "sms", "",
     "Nhac: moi danh gia su hai long ve ho so {{ dossier_code }} (den {{ closes_at|date:\"d/m\" }}): {{ survey_url }}"),
    (SURVEY_REMINDER, "en", "sms", "",
     "Reminder: rate the service on dossier {{ dossier_code }} (until {{ closes_at|date:\"d/m\" }}): {{ survey_url }}"),

    # --- reform scorecards (PAR index) -----------------------------------------------------------------------
    (REFORM_SUBMITTED, "vi", "any",
     "{{ agency_name }} đã gửi kết quả tự đánh giá chỉ số cải cách hành chính",
     "Kính gửi {{ recipient_name }},\n\n"
     "{{ agency_name }} đã gửi kết quả tự đánh giá {{ tree_name }}, tổng điểm tự đánh giá {{ self_total }}. "
     "Mời Hội đồng thẩm định xem và thẩm định tại:\n{{ assessment_url }}"),
    (REFORM_SUBMITTED, "en", "any",
     "{{ agency_name }} has submitted its reform self-assessment",
     "Dear {{ recipient_name }},\n\n"
     "{{ agency_name }} has submitted its self-assessment on {{ tree_name }}, self-assessed total "
     "{{ self_total }}. The appraisal council may appraise it at:\n{{ assessment_url }}"),
    (REFORM_SUBMITTED, "vi", "sms", "",
     "{{ agency_name }} da gui tu danh gia chi so CCHC ({{ self_total }} diem): {{ assessment_url }}"),
    (REFORM_SUBMITTED, "en", "sms", "",
     "{{ agency_name }} submitted its reform self-assessment ({{ self_total }} points): {{ assessment_url }}"),
    (REFORM_APPRAISED, "vi", "any",
     "Kết quả thẩm định chỉ số cải cách hành chính của {{ agency_name }}",
     "Kính gửi {{ recipient_name }},\n\n"
     "Hội đồng thẩm định đã gửi kết quả thẩm định {{ tree_name }} của {{ agency_name }}: tổng điểm {{ total }}. "
     "Nếu không đồng ý, đơn vị được kiến nghị đến {{ appeal_until|date:\"H:i d/m/Y\" }}, tại:\n"
     "{{ assessment_url }}"),
    (REFORM_APPRAISED, "en", "any",
     "The appraisal of {{ agency_name }}'s reform index",
     "Dear {{ recipient_name }},\n\n"
     "The appraisal council has sent its appraisal of {{ agency_name }} on {{ tree_name }}: total {{ total }}. "
     "If the agency disagrees, it may appeal until {{ appeal_until|date:\"H:i d/m/Y\" }}, at:\n"
     "{{ assessment_url }}"),
    (REFORM_APPRAISED, "vi", "sms", "",
     "Da co ket qua tham dinh chi so CCHC ({{ total }} diem); kien nghi den "
     "{{ appeal_until|date:\"H:i d/m\" }}: {{ assessment_url }}"),
    (REFORM_APPRAISED, "en", "sms", "",
     "Reform index appraised ({{ total }} points); appeal until {{ appeal_until|date:\"H:i d/m\" }}: "
     "{{ assessment_url }}"),

    # --- the national procedures database ---------------------------------------------------------------------
    (NATIONAL_CATALOGUE_BEHIND, "vi", "any",
     "Danh mục thủ tục chưa cập nhật theo Cơ sở dữ liệu quốc gia",
     "Kính gửi {{ recipient_name }},\n\n"
     "Lần đối chiếu lúc {{ compared_at|date:\"H:i d/m/Y\" }} với Cơ sở dữ liệu quốc gia về thủ tục hành chính "
     "cho thấy danh mục của đơn vị chưa cập nhật: {{ new_count }} thủ tục mới, {{ changed_count }} thủ tục có "
     "thay đổi. Mời xem và áp dụng tại:\n{{ page_url }}"),
    (NATIONAL_CATALOGUE_BEHIND, "en", "any",
     "The procedure catalogue is behind the national database",
     "Dear {{ recipient_name }},\n\n"
     "The comparison of {{ compared_at|date:\"H:i d/m/Y\" }} with the national procedures database shows that the "
     "local catalogue is behind: {{ new_count }} new procedures, {{ changed_count }} changed procedures. Review "
     "and apply them at:\n{{ page_url }}"),
    (NATIONAL_CATALOGUE_BEHIND, "vi", "sms", "",
     "Danh muc TTHC chua cap nhat theo CSDL quoc gia ({{ new_count }} moi, {{ changed_count }} thay doi): "
     "{{ page_url }}"),
    (NATIONAL_CATALOGUE_BEHIND, "en", "sms", "",
     "Catalogue behind the national database ({{ new_count }} new, {{ changed_count }} changed): {{ page_url }}"),

    # --- personal data rights (Law 91/2025/QH15 Art. 4) ---------------------------------------------------------
    (DATA_REQUEST_RECEIVED, "vi", "any",
     "Yêu cầu về dữ liệu cá nhân: hồ sơ {{ dossier_code }}",
     "Kính gửi {{ recipient_name }},\n\n"
     "Người nộp hồ sơ {{ dossier_code }} gửi yêu cầu về dữ liệu cá nhân: {{ request_label }}. "
     "Hạn trả lời: " + _WHEN % "due_at" + ".\n\nXem và trả lời: {{ queue_url }}"),
    (DATA_REQUEST_RECEIVED, "en", "any",
     "Personal data request: dossier {{ dossier_code }}",
     "Dear {{ recipient_name }},\n\n"
     "The applicant of dossier {{ dossier_code }} sent a personal data request: {{ request_label }}. "
     "Answer by " + _WHEN % "due_at" + ".\n\nSee and answer it: {{ queue_url }}"),
    (DATA_REQUEST_RECEIVED, "vi", "sms", "",
     "Ho so {{ dossier_code }}: yeu cau ve du lieu ca nhan, han " + _WHEN % "due_at" + ". {{ queue_url }}"),
    (DATA_REQUEST_RECEIVED, "en", "sms", "",
     "Dossier {{ dossier_code }}: personal data request, answer by " + _WHEN % "due_at" + ". {{ queue_url }}"),

    (DATA_REQUEST_ANSWERED, "vi", "any",
     "Trả lời yêu cầu về dữ liệu cá nhân: hồ sơ {{ dossier_code }}",
     "Kính gửi {{ recipient_name }},\n\n"
     "Yêu cầu của Quý vị về hồ sơ {{ dossier_code }} ({{ request_label }}) "
     "{% if accepted %}đã được thực hiện{% else %}không được chấp nhận{% endif %}."
     "{% if answer %}\nÝ kiến của cơ quan: {{ answer }}{% endif %}\n\nXem tại: {{ page_url }}"),
    (DATA_REQUEST_ANSWERED, "en", "any",
     "Answer to your personal data request: dossier {{ dossier_code }}",
     "Dear {{ recipient_name }},\n\n"
     "Your request about dossier {{ dossier_code }} ({{ request_label }}) "
     "{% if accepted %}has been carried out{% else %}was not accepted{% endif %}."
     "{% if answer %}\nThe agency's answer: {{ answer }}{% endif %}\n\nSee it at: {{ page_url }}"),
    (DATA_REQUEST_ANSWERED, "vi", "sms", "",
     "Ho so {{ dossier_code }}: yeu cau ve du lieu ca nhan {% if accepted %}da thuc hien{% else %}khong duoc "
     "chap nhan{% endif %}. {{ page_url }}"),
    (DATA_REQUEST_ANSWERED, "en", "sms", "",
     "Dossier {{ dossier_code }}: personal data request {% if accepted %}carried out{% else %}not accepted"
     "{% endif %}. {{ page_url }}"),
]

# Earlier default texts, (key, language, channel) -> [(subject, body)]: a template whose newest version still
# has one of them was never edited, and ``seed_default_templates`` replaces it by a new version with the
# current text; an edited template is left alone.
SUPERSEDED: dict[tuple[str, str, str], list[tuple[str, str]]] = {
    (SUPPLEMENT_REQUESTED, "vi", "any"): [(
        "Hồ sơ {{ dossier_code }} cần bổ sung",
        "Kính gửi {{ recipient_name }},\n\n"
        "Hồ sơ {{ dossier_code }} ({{ procedure_name }}) cần bổ sung, hoàn thiện các giấy tờ sau:\n"
        "{% for item in missing %}{{ forloop.counter }}. {{ item }}\n{% endfor %}\n"
        "Lý do: {{ reason }}\n"
        "Người hướng dẫn: {{ contact_name }}{% if contact_phone %}, điện thoại {{ contact_phone }}{% endif %}."
        + _FOOTER_VI), (
        "Hồ sơ {{ dossier_code }} cần bổ sung",
        "Kính gửi {{ recipient_name }},\n\n"
        "Hồ sơ {{ dossier_code }} ({{ procedure_name }}) cần bổ sung, hoàn thiện các giấy tờ sau:\n"
        "{% for item in missing %}{{ forloop.counter }}. {{ item.document }}"
        "{% if item.reason %}: {{ item.reason }}{% endif %}\n{% endfor %}"
        "{% if cover_note %}\nÝ kiến của cán bộ: {{ cover_note }}\n{% endif %}\n"
        "Người hướng dẫn: {{ contact_name }}{% if contact_phone %}, điện thoại {{ contact_phone }}{% endif %}."
        + _FOOTER_VI)],
    (SUPPLEMENT_REQUESTED, "en", "any"): [(
        "Dossier {{ dossier_code }} needs more documents",
        "Dear {{ recipient_name }},\n\n"
        "Dossier {{ dossier_code }} ({{ procedure_name }}) needs the following to be supplied or corrected:\n"
        "{% for item in missing %}{{ forloop.counter }}. {{ item }}\n{% endfor %}\n"
        "Reason: {{ reason }}\n"
        "Contact: {{ contact_name }}{% if contact_phone %}, phone {{ contact_phone }}{% endif %}." + _FOOTER_EN), (
        "Dossier {{ dossier_code }} needs more documents",
        "Dear {{ recipient_name }},\n\n"
        "Dossier {{ dossier_code }} ({{ procedure_name }}) needs the following to be supplied or corrected:\n"
        "{% for item in missing %}{{ forloop.counter }}. {{ item.document }}"
        "{% if item.reason %}: {{ item.reason }}{% endif %}\n{% endfor %}"
        "{% if cover_note %}\nThe officer's note: {{ cover_note }}\n{% endif %}\n"
        "Contact: {{ contact_name }}{% if contact_phone %}, phone {{ contact_phone }}{% endif %}." + _FOOTER_EN)],
    # Before the result's number, date, download link and postal tracking number (issue 14).
    (RESULT_READY, "vi", "any"): [(
        "Hồ sơ {{ dossier_code }} đã có kết quả",
        "Kính gửi {{ recipient_name }},\n\n"
        "Hồ sơ {{ dossier_code }} ({{ procedure_name }}) đã có kết quả{% if result_name %}: {{ result_name }}"
        "{% endif %}, từ " + _WHEN % "ready_at" + ".\n"
        "{% if pickup_place %}Nơi nhận kết quả: {{ pickup_place }}\n{% endif %}"
        "{% if rating_url %}Mời Quý vị đánh giá mức độ hài lòng: {{ rating_url }}\n{% endif %}" + _FOOTER_VI)],
    (RESULT_READY, "en", "any"): [(
        "Dossier {{ dossier_code }}: the result is ready",
        "Dear {{ recipient_name }},\n\n"
        "The result of dossier {{ dossier_code }} ({{ procedure_name }}) is ready{% if result_name %}: "
        "{{ result_name }}{% endif %}, since " + _WHEN % "ready_at" + ".\n"
        "{% if pickup_place %}Collect it at: {{ pickup_place }}\n{% endif %}"
        "{% if rating_url %}Please rate the service: {{ rating_url }}\n{% endif %}" + _FOOTER_EN)],
    (RESULT_READY, "vi", "sms"): [(
        "", "Ho so {{ dossier_code }} da co ket qua. {% if pickup_place %}Nhan tai: {{ pickup_place }}. {% endif %}"
        "{{ lookup_url }}")],
    (RESULT_READY, "en", "sms"): [(
        "", "Dossier {{ dossier_code }}: result ready. {% if pickup_place %}Collect at: {{ pickup_place }}. "
        "{% endif %}{{ lookup_url }}")],
}


def sample_context(key: str) -> dict[str, Any]:
    """A realistic context for ``key``, for the admin preview and the tests."""
    tz = ZoneInfo("Asia/Ho_Chi_Minh")
    received = dt.datetime(2026, 7, 6, 9, 30, tzinfo=tz)
    context: dict[str, Any] = {
        "recipient_name": "Nguyễn Văn An",
        "dossier_code": "G22.37-260706-0001",
        "procedure_name": "Cấp giấy phép xây dựng nhà ở riêng lẻ",
        "lookup_url": "https://motcua.example.gov.vn/tra-cuu?ma=G22.37-260706-0001",
        "hotline": "0263 000 000",
        "agency_name": "Sở Xây dựng",
        "status_label": "Đang xử lý",
        "receiving_unit": "Bộ phận Một cửa Sở Xây dựng",
        "receiving_officer": "Trần Thị Bình",
        "processing_unit": "Phòng Quản lý hoạt động xây dựng",
        "processing_officer": "Lê Văn Cường",
        "received_at": received,
        "changed_at": received + dt.timedelta(hours=2),
        "due_at": dt.datetime(2026, 7, 20, 16, 0, tzinfo=tz),
        "note": "",
        "missing": [{"document": "Bản vẽ thiết kế xây dựng", "reason": "Thiếu bản vẽ mặt bằng móng và mặt cắt"},
                    {"document": "Giấy tờ về quyền sử dụng đất", "reason": "Bản sao chưa chứng thực"}],
        "cover_note": "Đề nghị nộp bổ sung trong một lần.",
        "reason": "Bản vẽ thiết kế xây dựng: Thiếu bản vẽ mặt bằng móng và mặt cắt; "
                  "Giấy tờ về quyền sử dụng đất: Bản sao chưa chứng thực",
        "contact_name": "Trần Thị Bình",
        "contact_phone": "0263 000 001",
        "respond_by": dt.date(2026, 7, 22),
        "fee_name": "lệ phí cấp giấy phép xây dựng",
        "amount_vnd": 75000,
        "pay_url": "https://motcua.example.gov.vn/thanh-toan/1",
        "pay_by": dt.datetime(2026, 7, 10, 17, 0, tzinfo=tz),
        "original_due_at": dt.datetime(2026, 7, 20, 16, 0, tzinfo=tz),
        "new_due_at": dt.datetime(2026, 7, 24, 16, 0, tzinfo=tz),
        "changed_days": "21/07/2026",
        "event_name": "thông báo kết quả đánh giá",
        "event_at": dt.datetime(2026, 7, 9, 15, 0, tzinfo=tz),
        "result_name": "Giấy phép xây dựng",
        "result_number": "125/GPXD",
        "result_date": dt.date(2026, 7, 16),
        "result_url": "https://motcua.example.gov.vn/cong-dan/ho-so/G22.37-260706-0001/tep/42/?tai-ve=1",
        "tracking_number": "",
        "ready_at": dt.datetime(2026, 7, 17, 10, 0, tzinfo=tz),
        "pickup_place": "Bộ phận Một cửa Sở Xây dựng",
        "rating_url": "https://motcua.example.gov.vn/danh-gia/abc",
        "code": "482913",
        "valid_minutes": 10,
        "reset_url": "https://motcua.example.gov.vn/quen-mat-khau/MTI/cdbw1x-0a1b2c3d4e5f/",
        "valid_hours": 24,
        "login_url": "https://motcua.example.gov.vn/tai-khoan/dang-nhap/",
        "dossier_url": "https://motcua.example.gov.vn/ho-so/G22.37-260706-0001/",
        "officer_name": "Lê Văn Cường",
        "unit_name": "Phòng Quản lý hoạt động xây dựng",
        "apology_by": dt.datetime(2026, 7, 17, 17, 0, tzinfo=tz),
        "limit": dt.datetime(2026, 7, 17, 17, 0, tzinfo=tz),
        "apologised": False,
        "consulted_unit": "Sở Nông nghiệp và Môi trường",
        "consultation_due_at": dt.datetime(2026, 7, 10, 9, 30, tzinfo=tz),
        "feedback_code": "T.SXD-PA26-00012",
        "title": "Thời hạn cấp giấy phép xây dựng nhà ở riêng lẻ quá dài",
        "answer_due": dt.datetime(2026, 7, 27, 23, 59, tzinfo=tz),
        "status": "forwarded",
        "forwarded_to": "Ủy ban nhân dân phường Thắng Lợi",
        "info_request": "Đề nghị cho biết số hồ sơ và ngày nộp hồ sơ.",
        "answer": "Thời hạn giải quyết 15 ngày làm việc theo quy định của Luật Xây dựng; Sở sẽ rút ngắn khi "
                  "công bố lại thủ tục.",
        "merged_into": "T.SXD-PA26-00008",
        "merged_url": "https://motcua.example.gov.vn/phan-anh/tra-cuu/?ma=T.SXD-PA26-00008",
        "extended": False,
        "item_url": "https://motcua.example.gov.vn/phan-anh/can-bo/T.SXD-PA26-00012/",
        "survey_url": "https://motcua.example.gov.vn/khao-sat/Xq3v9s0bT2kqf7wN1dJ5cA8yHh4mLr6pZ0eUoGiBtQw",
        "closes_at": dt.datetime(2026, 9, 15, 10, 0, tzinfo=tz),
        "tree_name": "Chỉ số cải cách hành chính các sở, ban, ngành năm 2026",
        "self_total": Decimal("91.40"),
        "total": Decimal("89.15"),
        "appeal_until": dt.datetime(2027, 2, 10, 17, 0, tzinfo=tz),
        "assessment_url": "https://motcua.example.gov.vn/cai-cach/danh-gia/7/",
        "new_count": 2,
        "changed_count": 5,
        "compared_at": dt.datetime(2026, 7, 6, 2, 0, tzinfo=tz),
        "page_url": "https://motcua.example.gov.vn/ket-noi/danh-muc-quoc-gia/",
        "request_label": "Sửa thông tin: Địa chỉ",
        "queue_url": "https://motcua.example.gov.vn/du-lieu-ca-nhan/yeu-cau/",
        "accepted": True,
        "new_address": "0977***456",
    }
    wanted = VARIABLES.get(key)
    return {name: context[name] for name in wanted if name in context} if wanted else context
