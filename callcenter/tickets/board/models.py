"""Open tickets counted per SLA level, overdue and escalated: per team and in all."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from callcenter.tickets.sla import SlaState

WARNED = frozenset({SlaState.WARN70, SlaState.WARN80, SlaState.WARN90})


@dataclass(frozen=True, slots=True)
class SlaCount:
    """Open tickets of one team (None: no team) at one SLA level, and how many of them
    are overdue and escalated (one row of the GROUP BY)."""

    team: str | None
    sla_state: str
    open: int
    overdue: int
    escalated: int


@dataclass(frozen=True, slots=True)
class SlaFigures:
    """Counts of open tickets: all, per SLA level (every level, 0 when none), warned (70,
    80 or 90 %), breached, overdue (past `due_at`, clock running) and escalated."""

    open: int
    by_state: Mapping[str, int]
    warned: int
    breached: int
    overdue: int
    escalated: int


@dataclass(frozen=True, slots=True)
class TeamFigures:
    """A team's figures (`team` None: tickets assigned to no team)."""

    team: str | None
    figures: SlaFigures


@dataclass(frozen=True, slots=True)
class SlaSummary:
    """The figures at `at`, in all and per team (teams by name, no team last)."""

    at: datetime
    total: SlaFigures
    teams: tuple[TeamFigures, ...]


def figures(counts: Iterable[SlaCount]) -> SlaFigures:
    """Add up rows into one set of figures."""
    by_state = {state.value: 0 for state in SlaState}
    overdue = escalated = 0
    for count in counts:
        by_state[count.sla_state] = by_state.get(count.sla_state, 0) + count.open
        overdue += count.overdue
        escalated += count.escalated
    return SlaFigures(
        open=sum(by_state.values()),
        by_state=by_state,
        warned=sum(by_state[s.value] for s in WARNED),
        breached=by_state[SlaState.BREACHED.value],
        overdue=overdue,
        escalated=escalated,
    )


def summarise(counts: Iterable[SlaCount], at: datetime) -> SlaSummary:
    """The summary of the GROUP BY rows at `at`."""
    rows = list(counts)
    teams: dict[str | None, list[SlaCount]] = {}
    for row in rows:
        teams.setdefault(row.team, []).append(row)
    ordered = sorted(teams, key=lambda team: (team is None, team or ""))
    return SlaSummary(
        at=at,
        total=figures(rows),
        teams=tuple(TeamFigures(team, figures(teams[team])) for team in ordered),
    )
