"""The SLA summary's shape at the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class SlaFiguresOut(BaseModel):
    """Open tickets: in all, per SLA level (`ok`, `warn70`, `warn80`, `warn90`,
    `breached`), warned (any of the three warnings), breached, overdue, escalated."""

    model_config = ConfigDict(from_attributes=True)

    open: int
    by_state: dict[str, int]
    warned: int
    breached: int
    overdue: int
    escalated: int


class TeamFiguresOut(SlaFiguresOut):
    """A team's figures (`team` null: tickets assigned to no team)."""

    team: str | None


class SlaSummaryOut(SlaFiguresOut):
    """The figures of every open ticket at `at` (the server's clock), and per team."""

    at: datetime
    teams: list[TeamFiguresOut]
