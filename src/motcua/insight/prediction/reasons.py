"""The reasons of a prediction in the reader's language (Vietnamese first, English second).

A reason is stored as data (``Prediction.reasons``: a code, its weight and the values it cites, made by
``model.explain``) and put into words only when read, so that each reader gets their language. None cites
the applicant or any personal data: only the dossier's step, counts, shares and rates.
"""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _n(value: Any, digits: int = 1) -> str:
    return number_format(value, decimal_pos=digits if isinstance(value, float) and value % 1 else 0)


def render(reason: dict[str, Any]) -> str:
    """One reason as a sentence; an unknown code as an empty string (a model newer than this code)."""
    code = reason.get("code")
    if code == "step_wait":
        return _("the step “%(step)s” has been waiting %(days)s working days, longer than %(pct)s%% of dossiers "
                 "of the same kind") % {"step": reason.get("step") or "?", "days": _n(reason.get("days", 0)),
                                        "pct": reason.get("percentile", 0)}
    if code == "officer_load":
        return _("the officer holding it has %(count)s open steps, more than %(pct)s%% of the time") % {
            "count": reason.get("count", 0), "pct": reason.get("percentile", 0)}
    if code == "unit_load":
        return _("its unit has %(count)s open steps, more than %(pct)s%% of the time") % {
            "count": reason.get("count", 0), "pct": reason.get("percentile", 0)}
    if code == "agency_load":
        return _("the agency has %(count)s dossiers in progress, more than %(pct)s%% of the time") % {
            "count": reason.get("count", 0), "pct": reason.get("percentile", 0)}
    if code == "time_used":
        return _("%(share)s%% of the legal time is used, %(days)s working days left") % {
            "share": reason.get("share", 0), "days": _n(reason.get("days", 0))}
    if code == "supplements":
        count = int(reason.get("count", 0))
        return ngettext("a supplement has been requested", "%(count)s supplements have been requested",
                        count) % {"count": count}
    if code == "consultations":
        count = int(reason.get("count", 0))
        return ngettext("it waits for an opinion from another unit",
                        "it waits for %(count)s opinions from other units", count) % {"count": count}
    if code == "procedure":
        return _("dossiers of this procedure end late %(rate)s%% of the time (%(usual)s%% overall)") % {
            "rate": _n(reason.get("rate", 0)), "usual": _n(reason.get("usual", 0))}
    if code == "month":
        return _("in month %(month)s dossiers end late %(rate)s%% of the time (%(usual)s%% overall)") % {
            "month": reason.get("month", ""), "rate": _n(reason.get("rate", 0)), "usual": _n(reason.get("usual", 0))}
    if code == "officer":
        return _("the officer holding the step has often taken longer on similar dossiers")
    return ""


def render_all(reasons: list[dict[str, Any]]) -> list[str]:
    return [text for text in (render(r) for r in reasons or []) if text]
