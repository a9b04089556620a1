"""A wijk's statistics on the wire: counts only, small ones suppressed — no personal field at all."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import Field

from api.schemas.common import ApiModel, write_json
from domain.statistics import Cell, WijkStatistics

Count = Annotated[
    int | Annotated[str, Field(pattern=r"^<[0-9]+$")],
    Field(description='A count, or "<N" when it is below the minimum N (zero included).', examples=[12, "<5"]),
]


class CategoryCount(ApiModel):
    period: str = Field(description="Month (Europe/Amsterdam), YYYY-MM.", examples=["2026-03"])
    category: str
    count: Count


class KindCount(ApiModel):
    period: str = Field(description="Month (Europe/Amsterdam), YYYY-MM.")
    kind: str
    count: Count


class PhaseCount(ApiModel):
    period: str = Field(description="Month the intervention started (Europe/Amsterdam), YYYY-MM.")
    phase: str = Field(description="The phase it is in now.")
    count: Count


class OutcomeCount(ApiModel):
    period: str = Field(description="Month the referral was proposed (Europe/Amsterdam), YYYY-MM.")
    status: str = Field(description="Its status now: its outcome so far.")
    count: Count


class FirstActionRead(ApiModel):
    signals: Count = Field(description="Signals created in the period that were acted on.")
    median_hours: float | None = Field(description="null when fewer signals than the minimum were acted on.")
    average_hours: float | None = Field(description="null when fewer signals than the minimum were acted on.")


def _grouped(name: str, rows: tuple[Cell, ...]) -> list[dict[str, object]]:
    """A series' cells as its count models read them: the group under the series' own name."""
    return [{"period": c.period, name: c.key, "count": c.count} for c in rows]


class WijkStatisticsRead(ApiModel):
    """Anonymous counts of a wijk per month; no resident, address or text is part of this model."""

    wijk_id: UUID
    from_: date = Field(alias="from", description="First day of the period (Europe/Amsterdam).")
    to: date = Field(description="Last day of the period.")
    minimum_count: int = Field(description='Counts below this are reported as "<N".')
    signals: list[CategoryCount] = Field(description="Signals per month created and category.")
    contact_moments: list[KindCount] = Field(description="Contact moments per month and kind.")
    interventions: list[PhaseCount] = Field(description="Interventions per month started and current phase.")
    referrals: list[OutcomeCount] = Field(description="Referrals per month proposed and status.")
    signal_first_action: FirstActionRead = Field(description="Time from signal to first action.")
    overdue_follow_ups: Count = Field(description="Referrals whose nazorg date has passed unchecked, today.")

    @staticmethod
    def json_of(s: WijkStatistics) -> bytes:
        """The JSON of `of(s)`, written straight from the domain object: validating a year's hundreds of
        counts into the model cost a fifth of the request (tests/unit/test_statistics_json.py holds the
        two byte for byte equal)."""

        first = s.first_action
        return write_json(
            {
                "wijkId": s.wijk_id,
                "from": s.from_day,
                "to": s.to_day,
                "minimumCount": s.minimum_count,
                "signals": _grouped("category", s.signals),
                "contactMoments": _grouped("kind", s.contact_moments),
                "interventions": _grouped("phase", s.interventions),
                "referrals": _grouped("status", s.referrals),
                "signalFirstAction": {
                    "signals": first.signals,
                    "medianHours": first.median_hours,
                    "averageHours": first.average_hours,
                },
                "overdueFollowUps": s.overdue_follow_ups,
            }
        )

    @classmethod
    def of(cls, s: WijkStatistics) -> WijkStatisticsRead:
        return cls.model_validate(
            {
                "wijk_id": s.wijk_id,
                "from": s.from_day,
                "to": s.to_day,
                "minimum_count": s.minimum_count,
                "signals": _grouped("category", s.signals),
                "contact_moments": _grouped("kind", s.contact_moments),
                "interventions": _grouped("phase", s.interventions),
                "referrals": _grouped("status", s.referrals),
                "signal_first_action": {
                    "signals": s.first_action.signals,
                    "median_hours": s.first_action.median_hours,
                    "average_hours": s.first_action.average_hours,
                },
                "overdue_follow_ups": s.overdue_follow_ups,
            }
        )
