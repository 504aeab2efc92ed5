"""Answer templates per kind of item, offered on the draft-answer form (a starting text the officer edits).

The texts are message ids in English with their Vietnamese translation, so an officer working in Vietnamese
gets a Vietnamese starting text. ``{code}``, ``{received}`` and ``{agency}`` are filled from the item. A
regulation answer states the result of the review against the criteria of Decree 20/2008 Art. 14; a conduct
answer reports what the agency found (Decree 118/2025 Art. 9(2)(đ)).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .choices import Topic
from .models import FeedbackItem


@dataclass(frozen=True)
class AnswerTemplate:
    key: str
    label: str | Promise
    topic: str
    text: str | Promise


TEMPLATES: tuple[AnswerTemplate, ...] = (
    AnswerTemplate("quy-dinh-tiep-thu", _("Regulation: the proposal is accepted"), Topic.REGULATION, _(
        "{agency} has received your feedback {code} of {received}. Having reviewed the regulation against the "
        "criteria of Decree 20/2008/NĐ-CP, Article 14, the agency finds your feedback well founded and will "
        "propose that the competent authority amend the regulation. Thank you for your contribution.")),
    AnswerTemplate("quy-dinh-giai-thich", _("Regulation: the regulation is kept, with the reasons"),
                   Topic.REGULATION, _(
        "{agency} has received your feedback {code} of {received}. Having reviewed the regulation against the "
        "criteria of Decree 20/2008/NĐ-CP, Article 14, the agency finds that it is necessary, lawful and "
        "feasible, for the following reasons: ... The regulation therefore remains in force.")),
    AnswerTemplate("thuc-hien-co-co-so", _("Conduct: substantiated, apology and correction"), Topic.CONDUCT, _(
        "{agency} has received your feedback {code} of {received} about how your procedure was carried out. "
        "After checking, the agency finds it substantiated. We apologise, and have taken the following "
        "measures: ...")),
    AnswerTemplate("thuc-hien-khong-co-co-so", _("Conduct: not substantiated, with the facts"), Topic.CONDUCT, _(
        "{agency} has received your feedback {code} of {received} about how your procedure was carried out. "
        "After checking the dossier and hearing the officers concerned, the agency finds that the procedure was "
        "carried out as the law provides, for the following reasons: ...")),
)


def for_item(item: FeedbackItem) -> list[AnswerTemplate]:
    return [t for t in TEMPLATES if t.topic == item.topic]


def fill(template: AnswerTemplate, item: FeedbackItem) -> str:
    received = timezone.localtime(item.received_at).strftime("%d/%m/%Y")
    return str(template.text).format(code=item.code, received=received, agency=item.agency.name)


def find(item: FeedbackItem, key: str) -> AnswerTemplate | None:
    return next((t for t in for_item(item) if t.key == key), None)
