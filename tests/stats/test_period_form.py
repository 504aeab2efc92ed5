import datetime as dt

import time_machine

from motcua.stats.forms import period_from


@time_machine.travel(dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=7))), tick=False)
def test_unbound_period_form_shows_the_period_the_page_shows():
    form, period = period_from({})
    assert (period.first, period.last) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    html = str(form["year"]) + str(form["month"]) + str(form["quarter"])
    assert 'value="2026"' in html
    assert '<option value="11" selected>' in html
    assert '<option value="4" selected>' in html
