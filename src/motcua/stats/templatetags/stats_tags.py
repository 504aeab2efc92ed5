from typing import Any

from django import template

from motcua.stats.charts import fmt

register = template.Library()


@register.filter
def pct(value: Any) -> str:
    """A fraction 0-1 as a localised percentage with one decimal ("71,4 %"); "—" for None."""
    return fmt(value, "rate")
