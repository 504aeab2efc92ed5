import datetime as dt

import holidays
import pytest

from motcua.calendars.lunar import LunarDate, lunar_new_year, to_lunar


@pytest.mark.parametrize(
    ("year", "tet"),
    [
        (2024, dt.date(2024, 2, 10)),
        (2025, dt.date(2025, 1, 29)),
        (2026, dt.date(2026, 2, 17)),
        (2027, dt.date(2027, 2, 6)),
        (2030, dt.date(2030, 2, 2)),  # Chinese New Year is 3/2: UTC+7 versus UTC+8
        (1985, dt.date(1985, 1, 21)),  # Chinese: 20/2
        (2007, dt.date(2007, 2, 17)),  # Chinese: 18/2
    ],
)
def test_tet_is_the_vietnamese_new_year(year, tet):
    assert lunar_new_year(year) == tet
    assert to_lunar(tet) == LunarDate(1, 1, year)
    assert to_lunar(tet - dt.timedelta(days=1)).month == 12


def test_gio_to_2026_is_10_3_lunar_on_sunday_26_april():
    assert to_lunar(dt.date(2026, 4, 26)) == LunarDate(10, 3, 2026)
    assert dt.date(2026, 4, 26).weekday() == 6
    assert to_lunar(dt.date(2026, 4, 26)).can_chi_year == "Bính Ngọ"


def test_leap_months_are_marked():
    assert to_lunar(dt.date(2023, 3, 22)) == LunarDate(1, 2, 2023, leap=True)
    assert to_lunar(dt.date(2025, 7, 25)) == LunarDate(1, 6, 2025, leap=True)
    assert str(to_lunar(dt.date(2025, 7, 25))) == "01/06 (nhuận)/2025"


def test_tet_agrees_with_the_holidays_package_for_a_century():
    for year in range(1990, 2080):
        names = holidays.country_holidays("VN", years=year, language="en_US")
        tet = next(day for day, name in names.items() if name == "Lunar New Year")
        assert lunar_new_year(year) == tet, year


def test_gio_to_agrees_with_the_holidays_package():
    for year in range(2007, 2060):
        names = holidays.country_holidays("VN", years=year, language="en_US")
        day = next(d for d, name in names.items() if name == "Hung Kings' Commemoration Day")
        assert to_lunar(day) == LunarDate(10, 3, year), year
