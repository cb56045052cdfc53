"""Working time: when an SOP step is due, and how much working time lay between two moments.

Pure functions over a `WorkingCalendar` (no database; `sop.models.calendar_for` builds one from the
institution's settings). A working day has one window of working hours; everything outside the
windows (evenings, weekends, national holidays, collective leave, local holidays) does not count.

Units of an SOP's Waktu (`TimeUnit`, see `due_at`):
- minutes and hours are working time: "3 Jam" asked at 15:00 on a Friday is due at 09:30 on Monday;
- days are calendar days: "1 Hari" is 24 hours later, whatever the day;
- working days keep the clock time: 10:00 on Tuesday plus one working day is 10:00 on the next
  working day (or that day's closing time, when it closes earlier). A start outside working hours
  counts from the next opening, and a whole number of working days then ends at a closing time.

National holidays come from the `holidays` package (`holidays.Indonesia`), and so do the collective
leave days (cuti bersama) decreed by the government, unless the calendar leaves them out.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from types import MappingProxyType

import holidays

Hours = tuple[time, time]  # opening and closing time of one working day


class TimeUnit(enum.StrEnum):
    """The unit of a step's Waktu (a plain enum: this module does not load Django)."""

    MINUTES = "minutes"
    HOURS = "hours"
    DAYS = "days"
    WORKING_DAYS = "working_days"


# Common government office hours (five working days, 37.5 hours a week): Monday to Thursday
# 07:30-16:00, Friday 07:30-16:30 for the longer Friday prayer break. Monday is 0.
DEFAULT_HOURS: Mapping[int, Hours | None] = MappingProxyType({
    0: (time(7, 30), time(16, 0)),
    1: (time(7, 30), time(16, 0)),
    2: (time(7, 30), time(16, 0)),
    3: (time(7, 30), time(16, 0)),
    4: (time(7, 30), time(16, 30)),
    5: None,
    6: None,
})
# A calendar without a single working day in this many days is broken; searching further would never end.
SEARCH_LIMIT_DAYS = 366 * 5


@lru_cache(maxsize=128)
def public_holidays(year: int, joint: bool) -> Mapping[date, str]:
    """Indonesia's national holidays of one year, with their Indonesian names; with `joint`, also the
    collective leave days of civil servants (cuti bersama). Cached: the package computes the Islamic
    and Chinese dates on every call."""
    found: dict[date, str] = dict(holidays.Indonesia(years=year, language="id"))
    if joint:
        for day, name in holidays.Indonesia(years=year, categories=("government",), language="id").items():
            found.setdefault(day, name)
    return MappingProxyType(found)


@dataclass(frozen=True)
class WorkingCalendar:
    """When people work. `days_off` (collective leave and local holidays entered by an administrator) and
    `extra_working_days` (hari kerja pengganti: a weekend or holiday made a working day, with its own
    hours or None for the usual hours) override the weekly hours and the public holidays."""

    zone: tzinfo
    hours: Mapping[int, Hours | None] = field(default_factory=lambda: DEFAULT_HOURS)
    national_holidays: bool = True
    joint_holidays: bool = True
    days_off: Mapping[date, str] = field(default_factory=dict)
    extra_working_days: Mapping[date, Hours | None] = field(default_factory=dict)

    def usual_hours(self) -> Hours | None:
        """The hours of the first working weekday, for an extra working day that names none."""
        for weekday in range(7):
            hours = valid(self.hours.get(weekday))
            if hours is not None:
                return hours
        return None

    def holiday_name(self, day: date) -> str | None:
        """Why `day` is off although its weekday is a working day (None when it is not a holiday)."""
        if day in self.extra_working_days:
            return None
        if day in self.days_off:
            return self.days_off[day]
        if self.national_holidays:
            return public_holidays(day.year, self.joint_holidays).get(day)
        return None

    def hours_on(self, day: date) -> Hours | None:
        if day in self.extra_working_days:
            return valid(self.extra_working_days[day]) or valid(self.hours.get(day.weekday())) or self.usual_hours()
        if self.holiday_name(day) is not None:
            return None
        return valid(self.hours.get(day.weekday()))


def valid(hours: Hours | None) -> Hours | None:
    return hours if hours is not None and hours[0] < hours[1] else None


def is_working_day(day: date, calendar: WorkingCalendar) -> bool:
    return calendar.hours_on(day) is not None


def window(day: date, calendar: WorkingCalendar) -> tuple[datetime, datetime] | None:
    """The working hours of `day` as two aware moments in the calendar's time zone."""
    hours = calendar.hours_on(day)
    if hours is None:
        return None
    return (datetime.combine(day, hours[0], tzinfo=calendar.zone),
            datetime.combine(day, hours[1], tzinfo=calendar.zone))


def next_working_day(day: date, calendar: WorkingCalendar) -> date:
    """The first working day after `day`."""
    for _step in range(SEARCH_LIMIT_DAYS):
        day += timedelta(days=1)
        if is_working_day(day, calendar):
            return day
    raise ValueError(f"no working day in the {SEARCH_LIMIT_DAYS} days after {day}")


def local(moment: datetime, calendar: WorkingCalendar) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("working time needs an aware datetime")
    return moment.astimezone(calendar.zone)


def as_duration(duration: timedelta | float) -> timedelta:
    """A timedelta, or a number of minutes."""
    return duration if isinstance(duration, timedelta) else timedelta(minutes=duration)


def add_working_time(start: datetime, duration: timedelta | float, calendar: WorkingCalendar) -> datetime:
    """The moment `duration` of working time (a timedelta, or minutes) after `start`.

    Time runs only inside working hours. Work that fills a day exactly ends at its closing time, not at
    the next opening, so "8.5 hours" from Monday 07:30 is Monday 16:00."""
    remaining = as_duration(duration)
    if remaining < timedelta(0):
        raise ValueError("working time cannot be negative")
    moment = local(start, calendar)
    if not remaining:
        return moment
    day = moment.date()
    for _step in range(SEARCH_LIMIT_DAYS):
        hours = window(day, calendar)
        if hours is not None and moment < hours[1]:
            begin = max(moment, hours[0])
            available = hours[1] - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day += timedelta(days=1)
    raise ValueError(f"not enough working time in the {SEARCH_LIMIT_DAYS} days after {start}")


def working_time_between(start: datetime, end: datetime, calendar: WorkingCalendar) -> timedelta:
    """The working time from `start` to `end` (negative when `end` comes first). Compliance measures a
    step's duration with it, and a run adds the working time spent waiting for the requester to a due time."""
    first, last = local(start, calendar), local(end, calendar)
    if last < first:
        return -working_time_between(end, start, calendar)
    total = timedelta(0)
    day = first.date()
    while day <= last.date():
        hours = window(day, calendar)
        if hours is not None:
            overlap = min(last, hours[1]) - max(first, hours[0])
            if overlap > timedelta(0):
                total += overlap
        day += timedelta(days=1)
    return total


def add_working_days(start: datetime, days: int, calendar: WorkingCalendar) -> datetime:
    """The same clock time `days` working days after `start` (see the module's notes on starts outside
    working hours)."""
    if days < 0:
        raise ValueError("working days cannot be negative")
    moment = local(start, calendar)
    if days == 0:
        return moment
    today = window(moment.date(), calendar)
    if today is not None and today[0] < moment < today[1]:
        offset = moment - today[0]
        day = moment.date()
        for _step in range(days):
            day = next_working_day(day, calendar)
        hours = window(day, calendar)
        assert hours is not None
        return min(hours[0] + offset, hours[1])
    # Before opening, today is the first of the days; at or after closing, or on a day off, the next working day is.
    day = moment.date() if today is not None and moment <= today[0] else next_working_day(moment.date(), calendar)
    for _step in range(days - 1):
        day = next_working_day(day, calendar)
    hours = window(day, calendar)
    assert hours is not None
    return hours[1]


def due_at(start: datetime, value: float, unit: TimeUnit | str, calendar: WorkingCalendar) -> datetime:
    """When a step that starts at `start` with a Waktu of `value` `unit` is due (units: see the module)."""
    if value < 0:
        raise ValueError("a step's time cannot be negative")
    unit = TimeUnit(unit)
    if unit == TimeUnit.MINUTES:
        return add_working_time(start, timedelta(minutes=value), calendar)
    if unit == TimeUnit.HOURS:
        return add_working_time(start, timedelta(hours=value), calendar)
    if unit == TimeUnit.DAYS:
        return local(start, calendar) + timedelta(days=value)
    if value != int(value):
        raise ValueError("working days are whole days; give a fraction of a day in hours")
    return add_working_days(start, int(value), calendar)


def postponed(due: datetime, paused_from: datetime, paused_until: datetime, calendar: WorkingCalendar) -> datetime:
    """A due time pushed back by the working time a step spent waiting (for the requester, say)."""
    return add_working_time(due, working_time_between(paused_from, paused_until, calendar), calendar)
