"""Schedule arithmetic with a controlled clock: cron in timezones, DST, intervals, bounds."""

from datetime import UTC, datetime, timedelta

import pytest
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule

from jobs.core import schedules
from jobs.models import RecurringJob


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def cron_job(
    minute="0", hour="2", dom="*", month="*", dow="*", tz="Europe/Berlin", **options
) -> RecurringJob:
    rj = RecurringJob(name="t", task="tests.noop", created_at=utc(2026, 1, 1), **options)
    rj.crontab = CrontabSchedule(
        minute=minute, hour=hour, day_of_month=dom, month_of_year=month, day_of_week=dow, timezone=tz
    )
    return rj


def interval_job(every=15, period="minutes", **options) -> RecurringJob:
    rj = RecurringJob(name="t", task="tests.noop", created_at=utc(2026, 1, 1, 0, 0, 7), **options)
    rj.interval = IntervalSchedule(every=every, period=period)
    return rj


def test_berlin_0200_is_0200_local_in_winter_and_summer():
    rj = cron_job()
    assert schedules.next_run(rj, utc(2026, 1, 10, 12)) == utc(2026, 1, 11, 1)  # CET, UTC+1
    assert schedules.next_run(rj, utc(2026, 7, 10, 12)) == utc(2026, 7, 11, 0)  # CEST, UTC+2


def test_spring_forward_runs_at_the_first_instant_after_the_gap():
    """29 March 2026: 02:00 → 03:00 in Berlin; 02:00 and 02:30 don't exist that day."""
    assert schedules.next_run(cron_job(), utc(2026, 3, 28, 12)) == utc(2026, 3, 29, 1)  # 03:00 CEST
    half_past = cron_job(minute="30")
    assert schedules.next_run(half_past, utc(2026, 3, 28, 12)) == utc(2026, 3, 29, 1)
    assert schedules.next_run(half_past, utc(2026, 3, 29, 1)) == utc(2026, 3, 30, 0, 30)  # 02:30 CEST


def test_times_inside_the_gap_collapse_into_one_run():
    rj = cron_job(minute="0,30", hour="2,3")
    runs = schedules.next_runs(rj, count=4, now=utc(2026, 3, 28, 23))
    assert runs == [
        utc(2026, 3, 29, 1),
        utc(2026, 3, 29, 1, 30),
        utc(2026, 3, 30, 0),
        utc(2026, 3, 30, 0, 30),
    ]


def test_fall_back_runs_once_at_the_first_occurrence():
    """25 October 2026: 03:00 CEST → 02:00 CET, so 02:30 happens twice; it runs once."""
    rj = cron_job(minute="30")
    runs = schedules.next_runs(rj, count=3, now=utc(2026, 10, 24, 12))
    assert runs == [utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30), utc(2026, 10, 27, 1, 30)]
    assert schedules.next_run(cron_job(), utc(2026, 10, 24, 12)) == utc(2026, 10, 25, 0)  # 02:00 CEST


def test_an_hourly_schedule_keeps_running_through_the_repeated_hour():
    rj = cron_job(minute="30", hour="*")
    runs = schedules.next_runs(rj, count=4, now=utc(2026, 10, 24, 23, 45))
    assert runs == [utc(2026, 10, 25, 0, 0) + timedelta(minutes=30 + 60 * i) for i in range(4)]


def test_sao_paulo_daily_and_monday_schedules():
    daily = cron_job(hour="6", tz="America/Sao_Paulo")
    assert schedules.next_run(daily, utc(2026, 11, 23, 8)) == utc(2026, 11, 23, 9)
    assert schedules.next_run(daily, utc(2026, 11, 23, 9)) == utc(2026, 11, 24, 9)
    monday = cron_job(hour="8", dow="1", tz="America/Sao_Paulo")
    assert schedules.next_run(monday, utc(2026, 11, 24)) == utc(2026, 11, 30, 11)


def test_day_of_month_and_day_of_week_must_both_match():
    """As in celery: Friday the 13th, not every Friday and every 13th."""
    rj = cron_job(hour="0", dom="13", dow="fri", tz="UTC")
    assert schedules.next_run(rj, utc(2026, 1, 1)) == utc(2026, 2, 13)
    assert schedules.next_run(rj, utc(2026, 2, 14)) == utc(2026, 3, 13)


def test_a_cron_that_never_fires_has_no_next_run():
    assert schedules.next_run(cron_job(dom="31", month="2"), utc(2026, 1, 1)) is None
    assert schedules.next_run(cron_job(dom="29", month="2", tz="UTC"), utc(2026, 3, 1)) == utc(2028, 2, 29, 2)


def test_interval_runs_are_anchored_and_never_drift():
    rj = interval_job()
    anchor = rj.created_at
    assert schedules.next_run(rj, anchor - timedelta(hours=1)) == anchor
    assert schedules.next_run(rj, anchor) == anchor + timedelta(minutes=15)
    assert schedules.next_run(rj, anchor + timedelta(hours=5, seconds=1)) == anchor + timedelta(
        hours=5, minutes=15
    )
    assert schedules.next_runs(rj, 3, now=anchor + timedelta(minutes=1)) == [
        anchor + timedelta(minutes=15 * i) for i in (1, 2, 3)
    ]


def test_start_and_end_bound_every_schedule():
    start = utc(2026, 6, 1, 12, 0, 3)
    rj = interval_job(every=1, period="hours", start_at=start, end_at=start + timedelta(hours=2))
    assert schedules.next_runs(rj, 5, now=utc(2026, 1, 1)) == [start + timedelta(hours=h) for h in range(3)]
    cron = cron_job(tz="UTC", start_at=utc(2026, 5, 5), end_at=utc(2026, 5, 7, 3))
    assert schedules.next_runs(cron, 5, now=utc(2026, 1, 1)) == [
        utc(2026, 5, 5, 2),
        utc(2026, 5, 6, 2),
        utc(2026, 5, 7, 2),
    ]


def test_clocked_runs_once():
    rj = RecurringJob(name="t", task="tests.noop", created_at=utc(2026, 1, 1))
    rj.clocked = ClockedSchedule(clocked_time=utc(2026, 2, 2, 10))
    assert schedules.next_runs(rj, 5, now=utc(2026, 1, 1)) == [utc(2026, 2, 2, 10)]
    assert schedules.next_run(rj, utc(2026, 2, 2, 10)) is None


def test_latest_due_after_a_long_downtime_is_quick_and_exact():
    rj = interval_job(every=1, period="seconds")
    since = rj.created_at + timedelta(seconds=1)
    assert schedules.latest_due(rj, since, since + timedelta(days=3, seconds=0.5)) == (
        since + timedelta(days=3),
        3 * 86400 + 1,
    )
    minutely = cron_job(minute="*", hour="*", tz="UTC")
    latest, count = schedules.latest_due(minutely, utc(2026, 1, 1), utc(2026, 1, 15, 10, 30, 30), limit=500)
    assert latest == utc(2026, 1, 15, 10, 30) and count >= 500


def test_latest_due_counts_the_missed_runs():
    rj = interval_job(every=5, period="seconds")
    first = rj.created_at + timedelta(seconds=5)
    latest, count = schedules.latest_due(rj, first, first + timedelta(seconds=27))
    assert (latest, count) == (first + timedelta(seconds=25), 6)


@pytest.mark.parametrize(
    ("rj", "text"),
    [
        (cron_job(hour="6", tz="America/Sao_Paulo"), "At 06:00, every day, America/Sao_Paulo"),
        (cron_job(hour="8", dow="1", tz="America/Sao_Paulo"), "At 08:00, only on Monday, America/Sao_Paulo"),
        (cron_job(minute="*/15", hour="*", tz="UTC"), "Every 15 minutes, UTC"),
        (interval_job(), "Every 15 minutes"),
        (interval_job(every=1, period="hours"), "Every hour"),
    ],
)
def test_describe_schedule(rj, text):
    assert schedules.describe_schedule(rj) == text


@pytest.mark.parametrize(
    ("fields", "culprit"),
    [
        (("61", "*", "*", "*", "*", "UTC"), "minute"),
        (("0", "25", "*", "*", "*", "UTC"), "hour"),
        (("0", "0", "32", "*", "*", "UTC"), "day_of_month"),
        (("0", "0", "*", "13", "*", "UTC"), "month_of_year"),
        (("0", "0", "*", "*", "funday", "UTC"), "day_of_week"),
        (("0", "0", "*", "*", "*", "Mars/Olympus"), "timezone"),
    ],
)
def test_parse_names_the_bad_field(fields, culprit):
    with pytest.raises(schedules.ScheduleError) as caught:
        schedules.Cron.parse(*fields)
    assert caught.value.field == culprit
