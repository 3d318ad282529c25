"""Schedule arithmetic for recurring jobs: when is the next run? No database writes.

Run times come from the RecurringJob's django-celery-beat schedule, never from
rq-scheduler's ``cron()`` (which knows only the process's local time):

* **crontab** — the five fields are read by celery's own parser (the one
  django-celery-beat validates with) and matched against the wall clock of the
  schedule's timezone. As in celery, day of month and day of week must *both* match.
  ``0 2 * * *`` in Europe/Berlin is 02:00 local on every day, whatever the UTC offset.
* **interval** — a fixed duration, anchored at ``start_at`` (else at ``created_at``), so
  runs never drift: anchor, anchor + every, anchor + 2·every… "Every 1 day" is 24 hours
  of real time; use a crontab for "same wall-clock time every day".
* **clocked** — one run at that instant.

Daylight saving, for crontabs:

* **Spring forward (a wall time that doesn't exist).** A run whose local time falls in
  the gap runs at the first valid instant after it — 02:30 Europe/Berlin on the last
  Sunday of March runs at 03:00 CEST. Several times inside the gap collapse into that
  one run (and into a 03:00 run, if there is one).
* **Fall back (a wall time that happens twice).** The run happens once, at the first
  occurrence (02:30 CEST, not 02:30 CET again) — unless the hour field is ``*``: an
  hourly or minutely schedule keeps running through both occurrences, as cron does.

``start_at`` and ``end_at`` bound every schedule: no run before the start, none after
the end. Every function that depends on the clock takes ``now``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from celery.schedules import ParseException, crontab_parser
from cron_descriptor import Options, get_description
from django.db.models import Model
from django.utils import timezone

if TYPE_CHECKING:
    from django_celery_beat.models import CrontabSchedule, IntervalSchedule


SEARCH_DAYS = 366 * 8 + 2
"""How far ahead a crontab is searched: covers 29 February behind a non-leap century year."""

PERIODS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


class ScheduleError(ValueError):
    """A schedule that can't be computed; ``field`` names the culprit."""

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Cron:
    """A parsed crontab: the sets of values each field allows, and its timezone."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int]
    months: frozenset[int]
    days_of_week: frozenset[int]
    tz: tzinfo
    every_hour: bool

    @classmethod
    def parse(
        cls,
        minute: str,
        hour: str,
        day_of_month: str,
        month_of_year: str,
        day_of_week: str,
        tz: str | tzinfo,
    ) -> Cron:
        """Raises: ScheduleError naming the field that doesn't parse."""
        fields = {
            "minute": (minute, crontab_parser(60)),
            "hour": (hour, crontab_parser(24)),
            "day_of_month": (day_of_month, crontab_parser(31, 1)),
            "month_of_year": (month_of_year, crontab_parser(12, 1)),
            "day_of_week": (day_of_week, crontab_parser(7)),
        }
        parsed = {}
        for name, (value, parser) in fields.items():
            try:
                parsed[name] = frozenset(parser.parse(str(value)))
            except (ParseException, ValueError, IndexError) as exc:
                raise ScheduleError(f"Invalid {name.replace('_', ' ')} {value!r}: {exc}", name) from exc
        return cls(
            minutes=parsed["minute"],
            hours=parsed["hour"],
            days_of_month=parsed["day_of_month"],
            months=parsed["month_of_year"],
            days_of_week=frozenset(d % 7 for d in parsed["day_of_week"]),
            tz=zone(tz),
            every_hour=str(hour).strip() == "*",
        )

    def matches_day(self, day: date) -> bool:
        cron_weekday = (day.weekday() + 1) % 7
        return (
            day.month in self.months and day.day in self.days_of_month and cron_weekday in self.days_of_week
        )

    def next_after(self, after: datetime) -> datetime | None:
        """The first run strictly after ``after``, or None if none within eight years."""
        local = after.astimezone(self.tz).replace(tzinfo=None)
        # A wall time earlier than ``after``'s by more than a nearby DST shift can't map
        # to a later instant, so the first day's search starts there.
        day = timedelta(days=1)
        shift = abs(
            (after + day).astimezone(self.tz).utcoffset() - (after - day).astimezone(self.tz).utcoffset()
        )
        floor = local - shift - timedelta(minutes=1)
        for offset in range(SEARCH_DAYS):
            day = local.date() + timedelta(days=offset)
            if not self.matches_day(day):
                continue
            for instant in self._instants_on(day, floor):
                if instant > after:
                    return instant
        return None

    def _instants_on(self, day: date, floor: datetime) -> Iterator[datetime]:
        seen: set[datetime] = set()
        for hour in sorted(self.hours):
            if datetime.combine(day, time(hour, 59)) < floor:
                continue
            for minute in sorted(self.minutes):
                wall = datetime.combine(day, time(hour, minute))
                if wall < floor:
                    continue
                for instant in wall_to_instants(wall, self.tz):
                    if instant.fold_second and not self.every_hour:
                        continue
                    if instant.at not in seen:
                        seen.add(instant.at)
                        yield instant.at


@dataclass(frozen=True)
class _Instant:
    at: datetime
    fold_second: bool


def wall_to_instants(wall: datetime, tz: tzinfo) -> list[_Instant]:
    """The UTC instants a naive local wall time stands for, by the DST rules above."""
    first = wall.replace(tzinfo=tz, fold=0)
    second = wall.replace(tzinfo=tz, fold=1)
    first_utc, second_utc = first.astimezone(UTC), second.astimezone(UTC)
    if first_utc.astimezone(tz).replace(tzinfo=None) != wall:
        return [_Instant(_gap_end(second_utc, first_utc, tz), False)]
    if first_utc == second_utc:
        return [_Instant(first_utc, False)]
    return [_Instant(first_utc, False), _Instant(second_utc, True)]


def _gap_end(low: datetime, high: datetime, tz: tzinfo) -> datetime:
    """The transition instant between ``low`` (old offset) and ``high`` (new offset)."""
    after = high.astimezone(tz).utcoffset()
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == after:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)


def zone(name: str | tzinfo) -> tzinfo:
    """Raises: ScheduleError for a name the tz database doesn't know."""
    if isinstance(name, tzinfo):
        return name
    try:
        return ZoneInfo(str(name))
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"Unknown timezone {str(name)[:64]!r}.", "timezone") from exc


def cron_of(crontab: CrontabSchedule) -> Cron:
    """The parsed form of a django-celery-beat ``CrontabSchedule``."""
    return Cron.parse(
        crontab.minute,
        crontab.hour,
        crontab.day_of_month,
        crontab.month_of_year,
        crontab.day_of_week,
        crontab.timezone,
    )


def interval_seconds(interval: IntervalSchedule) -> float:
    """Raises: ScheduleError for an unknown period or a non-positive length."""
    if not isinstance(interval.period, str) or interval.period not in PERIODS:
        raise ScheduleError(f"Unknown period {interval.period!r}; use one of {', '.join(PERIODS)}.", "period")
    if isinstance(interval.every, bool) or not isinstance(interval.every, int) or interval.every <= 0:
        raise ScheduleError("An interval must be a whole number greater than 0.", "every")
    return float(interval.every * PERIODS[interval.period])


def next_run(rj: Model, after: datetime) -> datetime | None:
    """The first run of ``rj`` strictly after ``after``, within its start and end."""
    start_at = rj.start_at
    if start_at and after < start_at:
        after = start_at - timedelta(microseconds=1)
    found = _next_unbounded(rj, after)
    if found is None or (rj.end_at and found > rj.end_at):
        return None
    return found


def schedule_kind(rj: Model) -> str | None:
    """Which schedule ``rj`` uses: "crontab", "interval", "clocked" (or None if none)."""
    kinds = [kind for kind in ("crontab", "interval", "clocked") if getattr(rj, kind, None) is not None]
    return kinds[0] if len(kinds) == 1 else None


def _next_unbounded(rj: Model, after: datetime) -> datetime | None:
    kind = schedule_kind(rj)
    if kind == "crontab":
        return cron_of(rj.crontab).next_after(after)
    if kind == "interval":
        every = timedelta(seconds=interval_seconds(rj.interval))
        anchor = rj.start_at or rj.created_at
        if after < anchor:
            return anchor
        return anchor + every * ((after - anchor) // every + 1)
    if kind == "clocked":
        at = rj.clocked.clocked_time
        return at if at > after else None
    return None


def next_runs(rj: Model, count: int = 5, now: datetime | None = None) -> list[datetime]:
    """The next ``count`` run times after ``now`` (fewer if the schedule ends)."""
    runs: list[datetime] = []
    cursor = now or timezone.now()
    while len(runs) < count:
        found = next_run(rj, cursor)
        if found is None:
            break
        runs.append(found)
        cursor = found
    return runs


def latest_due(rj: Model, since: datetime, now: datetime, limit: int = 10_000) -> tuple[datetime, int]:
    """The last run time in ``[since, now]`` and how many there were (``since`` is one).

    Intervals are computed directly. A crontab is stepped through; after ``limit`` steps
    (a minutely cron down for a week) it jumps to the last day, and the count is a
    lower bound.
    """
    if schedule_kind(rj) == "interval":
        return _latest_interval_run(rj, since, now)
    latest, count = since, 1
    while True:
        following = next_run(rj, latest)
        if following is None or following > now:
            return latest, count
        latest, count = following, count + 1
        if count == limit:
            latest = max(latest, now - timedelta(days=1))


def _latest_interval_run(rj: Model, since: datetime, now: datetime) -> tuple[datetime, int]:
    every = timedelta(seconds=interval_seconds(rj.interval))
    until = min(now, rj.end_at) if rj.end_at else now
    steps = max(0, (until - since) // every)
    return since + every * steps, steps + 1


def describe_schedule(rj: Model) -> str:
    """The schedule in words: "At 06:00, every day, America/Sao_Paulo"."""
    kind = schedule_kind(rj)
    if kind == "crontab":
        return describe_crontab(rj.crontab)
    if kind == "interval":
        every, period = rj.interval.every, rj.interval.period
        unit = period[:-1] if every == 1 else period
        return f"Every {unit}" if every == 1 else f"Every {every} {unit}"
    if kind == "clocked":
        return f"Once, at {rj.clocked.clocked_time.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
    return "No schedule"


def describe_crontab(crontab: CrontabSchedule) -> str:
    options = Options()
    options.use_24hour_time_format = True
    expression = " ".join(
        str(part)
        for part in (
            crontab.minute,
            crontab.hour,
            crontab.day_of_month,
            crontab.month_of_year,
            crontab.day_of_week,
        )
    )
    text = get_description(expression, options)
    daily = all(
        str(part).strip() == "*"
        for part in (crontab.day_of_month, crontab.month_of_year, crontab.day_of_week)
    )
    if daily and str(crontab.hour).strip() != "*" and "," not in text:
        text += ", every day"
    return f"{text}, {crontab.timezone}"


CRON_FIELDS = ("minute", "hour", "day_of_month", "month_of_year", "day_of_week")
"""A crontab's fields, in celery-beat's order (its rows, forms and the services' input)."""


def schedule_spec(owner: Any) -> dict[str, Any]:
    """The schedule of a RecurringJob (or a celery-beat PeriodicTask) as the services take it.

    One of ``{"crontab": {...fields, "timezone"}}``, ``{"interval": {"every", "period"}}``
    or ``{"clocked": {"clocked_time": ISO 8601}}``; ``{}`` when none is set.
    """
    if owner.crontab_id:
        row = owner.crontab
        return {
            "crontab": {**{name: getattr(row, name) for name in CRON_FIELDS}, "timezone": str(row.timezone)}
        }
    if owner.interval_id:
        return {"interval": {"every": owner.interval.every, "period": owner.interval.period}}
    if owner.clocked_id:
        return {"clocked": {"clocked_time": owner.clocked.clocked_time.isoformat()}}
    return {}
