"""What a ticket's SLA columns become, and which levels to announce (pure): after each change
of its status and at each sweep.

A ticket stores the step it is held to (`sla_step`), the level announced for that step
(`sla_state`), its deadline (`due_at`) and when the next level falls due (`sla_next_at`, the
sweep's index). Each level of each step is announced once, with the moment it was reached:
warnings at the pack's 70/80/90 %, then the breach, which escalates the ticket one level.
When the ticket moves on to its next step, that step's levels start from `ok`.
"""

from __future__ import annotations

from callcenter.tickets import sla
from callcenter.tickets.deadlines import TicketDeadlines
from callcenter.tickets.models import LevelReached, SlaMark, Ticket
from callcenter.tickets.sla import SlaEvent, SlaState


def _state(value: str) -> SlaState:
    return SlaState(value) if value in SlaState.__members__.values() else SlaState.OK


def sla_mark(ticket: Ticket, found: TicketDeadlines) -> SlaMark:
    """The SLA columns of `ticket` given its deadlines `found` (computed now), with the
    levels reached since the ones stored."""
    step = found.current
    if step is None or step.clock is None:  # no step runs: levels as they were announced
        return SlaMark(ticket.sla_step, _state(ticket.sla_state), found.due_at, None)
    announced = _state(ticket.sla_state) if step.name == ticket.sla_step else SlaState.OK
    if sla.ORDER.index(step.state) <= sla.ORDER.index(announced):
        events: tuple[SlaEvent, ...] = ()
        state = announced
    else:
        events = sla.levels_between(step.clock, announced, step.state)
        state = step.state
    reached = tuple(LevelReached(step.name, e.state, e.at, step.due_at) for e in events)
    next_at = None if found.paused else sla.next_level_at(step.clock, state)
    return SlaMark(step.name, state, found.due_at, next_at, reached)
