import datetime as dt
from decimal import Decimal

from django.template import Context, Template
from django.utils import translation


def render(source: str, **context: object) -> str:
    return Template("{% load humanize %}" + source).render(Context(context))


def test_vietnamese_dates_are_day_first_and_numbers_use_dots():
    with translation.override("vi"):
        assert render("{{ d|date }}", d=dt.date(2026, 2, 17)) == "17/02/2026"
        assert render("{{ n|floatformat:'0g' }}", n=Decimal("1500000")) == "1.500.000"
        assert render("{{ n|floatformat:'2' }}", n=Decimal("12.5")) == "12,50"


def test_english_dates_keep_day_first():
    with translation.override("en"):
        assert render("{{ d|date:'SHORT_DATE_FORMAT' }}", d=dt.date(2026, 2, 17)) == "17/02/2026"
        assert render("{{ n|floatformat:'0g' }}", n=Decimal("1500000")) == "1,500,000"
