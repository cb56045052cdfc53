"""The working-hours calendar: fixed dates around Idul Fitri 2026, Friday afternoons, collective leave entered
by an administrator, extra working days, and the institution's settings loaded from the database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from jagaweb.inventory.models import Organisation
from jagaweb.sop.calendar import (
    DEFAULT_HOURS,
    TimeUnit,
    WorkingCalendar,
    add_working_days,
    add_working_time,
    due_at,
    is_working_day,
    postponed,
    public_holidays,
    working_time_between,
)
from jagaweb.sop.models import DayOff, DayOffKind, WorkingHours, calendar_for

JAKARTA = ZoneInfo("Asia/Jakarta")
PLAIN = WorkingCalendar(zone=JAKARTA)  # defaults, national holidays and the decreed collective leave


def wib(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JAKARTA)


def test_default_hours_are_government_office_hours():
    assert DEFAULT_HOURS[0] == (time(7, 30), time(16, 0))
    assert DEFAULT_HOURS[3] == (time(7, 30), time(16, 0))
    assert DEFAULT_HOURS[4] == (time(7, 30), time(16, 30))
    assert DEFAULT_HOURS[5] is None and DEFAULT_HOURS[6] is None


def test_friday_afternoon_carries_over_the_weekend():
    # Friday 6 March 2026, 15:00: one and a half hours left on Friday, the rest on Monday morning.
    assert add_working_time(wib(2026, 3, 6, 15), timedelta(hours=3), PLAIN) == wib(2026, 3, 9, 9)
    assert add_working_time(wib(2026, 3, 6, 15), 90, PLAIN) == wib(2026, 3, 6, 16, 30)  # minutes; ends at closing
    # Asked on Saturday: the clock starts on Monday at opening.
    assert add_working_time(wib(2026, 3, 7, 10), timedelta(hours=1), PLAIN) == wib(2026, 3, 9, 8, 30)
    # Asked after closing on a weekday: the next morning.
    assert add_working_time(wib(2026, 3, 9, 18), timedelta(minutes=30), PLAIN) == wib(2026, 3, 10, 8)


def test_a_full_day_ends_at_closing_not_at_the_next_opening():
    assert add_working_time(wib(2026, 3, 9, 7, 30), timedelta(hours=8, minutes=30), PLAIN) == wib(2026, 3, 9, 16)
    assert add_working_time(wib(2026, 3, 9, 7, 30), timedelta(hours=8, minutes=31), PLAIN) == wib(2026, 3, 10, 7, 31)
    assert add_working_time(wib(2026, 3, 9, 10), timedelta(0), PLAIN) == wib(2026, 3, 9, 10)


def test_idul_fitri_2026_and_its_collective_leave():
    # Nyepi on Thursday 19 March, Idul Fitri on 21-22 March (a weekend), and the decreed cuti bersama on
    # 18, 20, 23 and 24 March: from Tuesday 17 March the next working day is Wednesday 25 March.
    names = public_holidays(2026, True)
    assert names[date(2026, 3, 21)] == "Hari Raya Idul Fitri"
    assert names[date(2026, 3, 19)] == "Hari Suci Nyepi"
    assert "Cuti Bersama" in names[date(2026, 3, 23)]
    for day in (18, 19, 20, 21, 22, 23, 24):
        assert not is_working_day(date(2026, 3, day), PLAIN), day
    assert is_working_day(date(2026, 3, 17), PLAIN) and is_working_day(date(2026, 3, 25), PLAIN)
    start = wib(2026, 3, 17, 10)
    assert add_working_days(start, 1, PLAIN) == wib(2026, 3, 25, 10)
    assert add_working_days(start, 3, PLAIN) == wib(2026, 3, 27, 10)
    # Tuesday 17 March from 10:00 to Wednesday 25 March 10:00 holds exactly one working day.
    assert working_time_between(start, wib(2026, 3, 25, 10), PLAIN) == timedelta(hours=8, minutes=30)
    # Without the decreed leave only Nyepi (19 March) is off among the weekdays.
    national_only = WorkingCalendar(zone=JAKARTA, joint_holidays=False)
    assert is_working_day(date(2026, 3, 18), national_only)
    assert not is_working_day(date(2026, 3, 19), national_only)
    assert add_working_days(start, 2, national_only) == wib(2026, 3, 20, 10)


def test_national_holidays_are_cached_per_year():
    public_holidays.cache_clear()
    public_holidays(2027, True)
    public_holidays(2027, True)
    info = public_holidays.cache_info()
    assert info.misses == 1 and info.hits == 1


def test_collective_leave_and_local_holidays_entered_by_hand():
    calendar = WorkingCalendar(zone=JAKARTA, joint_holidays=False,
                               days_off={date(2026, 3, 23): "Cuti bersama Idul Fitri",
                                         date(2026, 4, 20): "Hari Jadi Kabupaten"})
    assert not is_working_day(date(2026, 3, 23), calendar)
    assert calendar.holiday_name(date(2026, 4, 20)) == "Hari Jadi Kabupaten"
    # Friday 20 March 16:00 plus one hour: half an hour on Friday, Monday 23 is leave, so Tuesday 08:00.
    assert add_working_time(wib(2026, 3, 20, 16), timedelta(hours=1), calendar) == wib(2026, 3, 24, 8)


def test_extra_working_day_with_usual_and_own_hours():
    usual = WorkingCalendar(zone=JAKARTA, extra_working_days={date(2026, 3, 28): None})
    assert is_working_day(date(2026, 3, 28), usual)  # a Saturday
    assert add_working_time(wib(2026, 3, 27, 16), timedelta(hours=1), usual) == wib(2026, 3, 28, 8)
    own = WorkingCalendar(zone=JAKARTA, extra_working_days={date(2026, 3, 28): (time(8), time(12))})
    assert add_working_time(wib(2026, 3, 27, 16), timedelta(hours=5), own) == wib(2026, 3, 30, 8)
    # An extra working day on a holiday (Monday 23 March, cuti bersama) makes that holiday a working day.
    on_leave = WorkingCalendar(zone=JAKARTA, extra_working_days={date(2026, 3, 23): None})
    assert is_working_day(date(2026, 3, 23), on_leave)
    assert add_working_days(wib(2026, 3, 17, 10), 1, on_leave) == wib(2026, 3, 23, 10)


def test_working_time_between():
    assert working_time_between(wib(2026, 3, 9, 9), wib(2026, 3, 10, 9), PLAIN) == timedelta(hours=8, minutes=30)
    # Friday 16:00 to Monday 08:00: the last half hour of Friday and the first of Monday.
    assert working_time_between(wib(2026, 3, 6, 16), wib(2026, 3, 9, 8), PLAIN) == timedelta(hours=1)
    assert working_time_between(wib(2026, 3, 9, 8), wib(2026, 3, 6, 16), PLAIN) == -timedelta(hours=1)
    assert working_time_between(wib(2026, 3, 7, 8), wib(2026, 3, 8, 20), PLAIN) == timedelta(0)  # a weekend
    # Adding the result back gives the end again (inside working hours).
    start = wib(2026, 3, 6, 15, 10)
    end = add_working_time(start, timedelta(hours=20), PLAIN)
    assert working_time_between(start, end, PLAIN) == timedelta(hours=20)


def test_working_days_keep_the_clock_time_and_clamp_to_closing():
    assert add_working_days(wib(2026, 3, 9, 10), 1, PLAIN) == wib(2026, 3, 10, 10)
    # Friday 16:15 is later than Monday's closing: Monday 16:00.
    assert add_working_days(wib(2026, 3, 6, 16, 15), 1, PLAIN) == wib(2026, 3, 9, 16)
    # Before opening, the day itself is the first working day; after closing, the next one is.
    assert add_working_days(wib(2026, 3, 9, 6), 1, PLAIN) == wib(2026, 3, 9, 16)
    assert add_working_days(wib(2026, 3, 9, 17), 1, PLAIN) == wib(2026, 3, 10, 16)
    assert add_working_days(wib(2026, 3, 7, 11), 2, PLAIN) == wib(2026, 3, 10, 16)  # a Saturday
    assert add_working_days(wib(2026, 3, 9, 10), 0, PLAIN) == wib(2026, 3, 9, 10)


def test_due_at_units():
    friday = wib(2026, 3, 6, 15)
    assert due_at(friday, 3, TimeUnit.HOURS, PLAIN) == wib(2026, 3, 9, 9)
    assert due_at(friday, 120, "minutes", PLAIN) == wib(2026, 3, 9, 8)
    assert due_at(friday, 1, TimeUnit.DAYS, PLAIN) == wib(2026, 3, 7, 15)  # calendar days: Saturday
    assert due_at(friday, 1, TimeUnit.WORKING_DAYS, PLAIN) == wib(2026, 3, 9, 15)
    assert due_at(friday, 0.5, TimeUnit.HOURS, PLAIN) == wib(2026, 3, 6, 15, 30)
    with pytest.raises(ValueError, match="whole days"):
        due_at(friday, 1.5, TimeUnit.WORKING_DAYS, PLAIN)
    with pytest.raises(ValueError):
        due_at(friday, 1, "weeks", PLAIN)
    with pytest.raises(ValueError):
        due_at(friday, -1, TimeUnit.HOURS, PLAIN)


def test_time_zones_without_daylight_saving():
    # 08:00 UTC is 15:00 in Jakarta (UTC+7, all year): the same Friday afternoon as above.
    result = add_working_time(datetime(2026, 3, 6, 8, tzinfo=UTC), timedelta(hours=3), PLAIN)
    assert result == wib(2026, 3, 9, 9) and result.utcoffset() == timedelta(hours=7)
    assert add_working_time(wib(2026, 7, 6, 15), 60, PLAIN).utcoffset() == timedelta(hours=7)  # July as March
    # In Jayapura (UTC+9) the same office hours close two hours earlier in UTC.
    papua = WorkingCalendar(zone=ZoneInfo("Asia/Jayapura"))
    closing = add_working_time(datetime(2026, 3, 9, 0, tzinfo=UTC), timedelta(hours=7), papua)
    assert closing.astimezone(UTC) == datetime(2026, 3, 9, 7, tzinfo=UTC)  # 16:00 WIT
    with pytest.raises(ValueError, match="aware"):
        add_working_time(datetime(2026, 3, 9, 10), 60, PLAIN)


def test_waiting_pushes_the_due_time_back_by_working_time_only():
    due = wib(2026, 3, 10, 12)
    # Waited from Friday 16:00 to Monday 09:00: Friday's last half hour and Monday's first hour and a half.
    assert postponed(due, wib(2026, 3, 6, 16), wib(2026, 3, 9, 9), PLAIN) == wib(2026, 3, 10, 14)


def test_a_calendar_without_working_days_fails_instead_of_looping():
    never = WorkingCalendar(zone=JAKARTA, hours=dict.fromkeys(range(7)))
    with pytest.raises(ValueError, match="working"):
        add_working_time(wib(2026, 3, 9, 10), 60, never)
    with pytest.raises(ValueError, match="working day"):
        add_working_days(wib(2026, 3, 9, 10), 1, never)
    with pytest.raises(ValueError):
        add_working_time(wib(2026, 3, 9, 10), -timedelta(minutes=1), PLAIN)


@pytest.mark.django_db
def test_calendar_from_the_database_defaults_institution_and_organisation(settings):
    settings.TIME_ZONE = "Asia/Jakarta"
    default = calendar_for()
    assert default.hours[4] == (time(7, 30), time(16, 30)) and str(default.zone) == "Asia/Jakarta"
    institution = WorkingHours.objects.create(friday_end=time(11, 30), joint_holidays=False)
    assert institution.weekly_hours()[4] == (time(7, 30), time(11, 30))
    assert calendar_for().hours[4] == (time(7, 30), time(11, 30)) and not calendar_for().joint_holidays
    parent = Organisation.objects.create(name="Sekretariat Daerah", code="setda")
    unit = Organisation.objects.create(name="Bagian Umum", code="umum", parent=parent)
    WorkingHours.objects.create(organisation=parent, saturday_start=time(8), saturday_end=time(12))
    assert calendar_for(unit).hours[5] == (time(8), time(12))  # a unit inherits its parent's hours
    assert calendar_for().hours[5] is None
    DayOff.objects.create(date=date(2026, 3, 23), name="Cuti bersama", kind=DayOffKind.COLLECTIVE_LEAVE)
    DayOff.objects.create(date=date(2026, 4, 20), name="Hari Jadi", kind=DayOffKind.LOCAL_HOLIDAY, organisation=parent)
    DayOff.objects.create(date=date(2026, 3, 23), name="Piket", kind=DayOffKind.EXTRA_WORKING_DAY,
                          organisation=unit, start=time(8), end=time(12))
    everyone = calendar_for()
    assert not is_working_day(date(2026, 3, 23), everyone) and is_working_day(date(2026, 4, 20), everyone)
    own = calendar_for(unit)
    assert own.hours_on(date(2026, 3, 23)) == (time(8), time(12))  # the unit's own entry wins the date
    assert not is_working_day(date(2026, 4, 20), own)
    with transaction.atomic(), pytest.raises(IntegrityError):
        WorkingHours.objects.create()  # a second row for the whole institution


@pytest.mark.django_db
def test_calendar_settings_are_validated():
    with pytest.raises(ValidationError) as raised:
        WorkingHours(monday_end=time(7)).full_clean()
    assert "monday_end" in raised.value.message_dict
    with pytest.raises(ValidationError) as raised:
        WorkingHours(tuesday_start=None).full_clean()
    assert "tuesday_end" in raised.value.message_dict
    WorkingHours(saturday_start=None, saturday_end=None).full_clean()
    with pytest.raises(ValidationError) as raised:
        DayOff(date=date(2026, 1, 2), name="Libur", kind=DayOffKind.LOCAL_HOLIDAY, start=time(8),
               end=time(12)).full_clean()
    assert "start" in raised.value.message_dict
    DayOff(date=date(2026, 1, 3), name="Piket", kind=DayOffKind.EXTRA_WORKING_DAY, start=time(8),
           end=time(12)).full_clean()
