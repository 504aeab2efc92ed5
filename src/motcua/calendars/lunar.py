"""The Vietnamese lunar calendar (âm lịch), for showing lunar dates next to holidays.

Written for motcua after Hồ Ngọc Đức's published description of the Vietnamese calendar rules:

- a lunar month starts on the (local) day of the astronomical new moon;
- the 11th month is the one containing the winter solstice;
- in a year with 13 months (between two 11th months), the leap month is the first month that contains
  no major solar term (*trung khí*: the sun entering a multiple of 30° of longitude);
- every day and instant is taken in the time zone of Vietnam, UTC+07:00. This is why Vietnamese Tết
  differs from Chinese New Year (UTC+08:00) in some years (1985, 2007, 2030…): do not use ``lunardate``.

The new-moon times and the sun's longitude use the short series of Jean Meeus (*Astronomical
Algorithms*; the new-moon series of his *Astronomical Formulae for Calculators*), accurate to a few
minutes — enough to place a new moon on the right day except in rare borderline cases.
The days off themselves come from the ``holidays`` package and the override table, never from here.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache

TZ_HOURS = 7.0
SYNODIC_MONTH = 29.530588853
_RAD = math.pi / 180
# Julian day of the new moon of 1900-01-01 13:52 UT, the origin of the lunation count k.
_NEW_MOON_ORIGIN = 2415021.076998695


@dataclass(frozen=True)
class LunarDate:
    day: int
    month: int
    year: int
    leap: bool = False

    def __str__(self) -> str:
        leap = " (nhuận)" if self.leap else ""
        return f"{self.day:02d}/{self.month:02d}{leap}/{self.year}"

    @property
    def can_chi_year(self) -> str:
        """The sexagenary name of the lunar year, e.g. "Bính Ngọ" for 2026."""
        stems = ["Giáp", "Ất", "Bính", "Đinh", "Mậu", "Kỷ", "Canh", "Tân", "Nhâm", "Quý"]
        branches = ["Tý", "Sửu", "Dần", "Mão", "Thìn", "Tỵ", "Ngọ", "Mùi", "Thân", "Dậu", "Tuất", "Hợi"]
        return f"{stems[(self.year + 6) % 10]} {branches[(self.year + 8) % 12]}"


def julian_day_number(day: dt.date) -> int:
    """The Julian day number of a Gregorian date (noon-based, as an integer)."""
    return day.toordinal() + 1721425


def _date_of_jdn(jdn: int) -> dt.date:
    return dt.date.fromordinal(jdn - 1721425)


def new_moon(k: int) -> float:
    """Julian date (UT) of the k-th new moon after the one of January 1900 (Meeus' series)."""
    t = k / 1236.85
    t2 = t * t
    t3 = t2 * t
    mean = 2415020.75933 + 29.53058868 * k + 0.0001178 * t2 - 0.000000155 * t3
    mean += 0.00033 * math.sin((166.56 + 132.87 * t - 0.009173 * t2) * _RAD)
    sun_anomaly = (359.2242 + 29.10535608 * k - 0.0000333 * t2 - 0.00000347 * t3) * _RAD
    moon_anomaly = (306.0253 + 385.81691806 * k + 0.0107306 * t2 + 0.00001236 * t3) * _RAD
    latitude_arg = (21.2964 + 390.67050646 * k - 0.0016528 * t2 - 0.00000239 * t3) * _RAD
    m, mp, f = sun_anomaly, moon_anomaly, latitude_arg
    correction = (
        (0.1734 - 0.000393 * t) * math.sin(m)
        + 0.0021 * math.sin(2 * m)
        - 0.4068 * math.sin(mp)
        + 0.0161 * math.sin(2 * mp)
        - 0.0004 * math.sin(3 * mp)
        + 0.0104 * math.sin(2 * f)
        - 0.0051 * math.sin(m + mp)
        - 0.0074 * math.sin(m - mp)
        + 0.0004 * math.sin(2 * f + m)
        - 0.0004 * math.sin(2 * f - m)
        - 0.0006 * math.sin(2 * f + mp)
        + 0.0010 * math.sin(2 * f - mp)
        + 0.0005 * math.sin(m + 2 * mp)
    )
    # Ephemeris time to universal time (ΔT), as a fraction of a day.
    if t < -11:
        delta_t = 0.001 + 0.000839 * t + 0.0002261 * t2 - 0.00000845 * t3 - 0.000000081 * t * t3
    else:
        delta_t = -0.000278 + 0.000265 * t + 0.000262 * t2
    return mean + correction - delta_t


def new_moon_day(k: int, tz: float = TZ_HOURS) -> int:
    """The Julian day number of the local day on which the k-th new moon falls."""
    return math.floor(new_moon(k) + 0.5 + tz / 24)


def sun_longitude(jd_ut: float) -> float:
    """The sun's apparent longitude in radians, in [0, 2π), at Julian date ``jd_ut``."""
    t = (jd_ut - 2451545.0) / 36525
    t2 = t * t
    mean_anomaly = (357.52910 + 35999.05030 * t - 0.0001559 * t2 - 0.00000048 * t * t2) * _RAD
    mean_longitude = 280.46645 + 36000.76983 * t + 0.0003032 * t2
    centre = ((1.914600 - 0.004817 * t - 0.000014 * t2) * math.sin(mean_anomaly)
              + (0.019993 - 0.000101 * t) * math.sin(2 * mean_anomaly)
              + 0.000290 * math.sin(3 * mean_anomaly))
    longitude = (mean_longitude + centre) * _RAD
    return longitude % (2 * math.pi)


def solar_term_sector(jdn: int, tz: float = TZ_HOURS) -> int:
    """Which 30° sector (0..11) the sun is in at the start of local day ``jdn``."""
    return math.floor(sun_longitude(jdn - 0.5 - tz / 24) / math.pi * 6)


@lru_cache(maxsize=512)
def month_11_start(year: int, tz: float = TZ_HOURS) -> int:
    """The first day (JDN) of the lunar month containing the winter solstice of ``year``."""
    days_since_origin = julian_day_number(dt.date(year, 12, 31)) - 2415021
    k = math.floor(days_since_origin / SYNODIC_MONTH)
    start = new_moon_day(k, tz)
    # Sector 9 starts at 270°, the winter solstice: if the month began after it, take the one before.
    if solar_term_sector(start, tz) >= 9:
        start = new_moon_day(k - 1, tz)
    return start


@lru_cache(maxsize=512)
def leap_month_offset(month_11: int, tz: float = TZ_HOURS) -> int:
    """In a 13-month lunar year starting at ``month_11``, the index (after month 11) of the leap month:
    the first month during which the sun stays in the same sector, i.e. no major term begins."""
    k = math.floor((month_11 - _NEW_MOON_ORIGIN) / SYNODIC_MONTH + 0.5)
    i = 1
    sector = solar_term_sector(new_moon_day(k + i, tz), tz)
    while True:
        previous = sector
        i += 1
        sector = solar_term_sector(new_moon_day(k + i, tz), tz)
        if sector == previous or i >= 14:
            return i - 1


def to_lunar(day: dt.date, tz: float = TZ_HOURS) -> LunarDate:
    """The Vietnamese lunar date of a Gregorian date."""
    jdn = julian_day_number(day)
    k = math.floor((jdn - _NEW_MOON_ORIGIN) / SYNODIC_MONTH)
    month_start = new_moon_day(k + 1, tz)
    if month_start > jdn:
        month_start = new_moon_day(k, tz)
    a11 = month_11_start(day.year, tz)
    if a11 >= month_start:
        lunar_year = day.year
        b11 = a11
        a11 = month_11_start(day.year - 1, tz)
    else:
        lunar_year = day.year + 1
        b11 = month_11_start(day.year + 1, tz)
    lunar_day = jdn - month_start + 1
    months_after_11 = math.floor((month_start - a11) / 29)
    leap = False
    lunar_month = months_after_11 + 11
    if b11 - a11 > 365:  # 13 lunar months between two 11th months: one of them is a leap month
        leap_offset = leap_month_offset(a11, tz)
        if months_after_11 >= leap_offset:
            lunar_month = months_after_11 + 10
            leap = months_after_11 == leap_offset
    if lunar_month > 12:
        lunar_month -= 12
    if lunar_month >= 11 and months_after_11 < 4:
        lunar_year -= 1
    return LunarDate(lunar_day, lunar_month, lunar_year, leap)


def lunar_new_year(year: int) -> dt.date:
    """The Gregorian date of Tết (1/1 lunar) falling in Gregorian ``year``."""
    day = dt.date(year, 1, 19)
    while True:
        lunar = to_lunar(day)
        if lunar.day == 1 and lunar.month == 1 and not lunar.leap:
            return day
        # Jump by whole lunar months when far away, then day by day.
        day += dt.timedelta(days=1 if lunar.month == 12 or lunar.month == 1 else 20)
