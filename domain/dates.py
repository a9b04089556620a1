"""Calendar rules: the local day in the Netherlands and half-open periods of days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

# Koppels work in Dutch neighbourhoods: "today" is the day on the clock in Amsterdam, not in UTC,
# so that someone who leaves a koppel at 00:30 local time loses access that same local day.
LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")


def local_today(now: datetime) -> date:
    """The calendar day in the Netherlands at the instant `now` (timezone-aware)."""
    return now.astimezone(LOCAL_ZONE).date()


@dataclass(frozen=True)
class Period:
    """Days from `starts_on` up to, not including, `ends_on` (open-ended when None).

    Half-open on purpose: a member who leaves on D is no longer a member on D, and two periods
    that touch (one ends on D, the next starts on D) do not overlap.
    """

    starts_on: date
    ends_on: date | None = None

    def covers(self, day: date) -> bool:
        """True when `day` lies in the period."""
        return self.starts_on <= day and (self.ends_on is None or day < self.ends_on)

    def overlaps(self, other: Period) -> bool:
        """True when the two periods share at least one day."""
        starts_before_other_ends = other.ends_on is None or self.starts_on < other.ends_on
        other_starts_before_self_ends = self.ends_on is None or other.starts_on < self.ends_on
        return starts_before_other_ends and other_starts_before_self_ends

    def is_valid(self) -> bool:
        """An end, when given, lies after the start (a period holds at least one day)."""
        return self.ends_on is None or self.ends_on > self.starts_on
