"""Reconnection work orders for the arrears procedure, opened through the ticket service: a
service request (sub-type `reconnection`) due when the pack's `reconnection_within` says."""

from __future__ import annotations

from datetime import datetime

from callcenter.core.audit import Editor
from callcenter.tickets.models import NewTicket, TicketType
from callcenter.tickets.service import TicketService
from outbound.ports import AccountFacts, ReconnectionTicket

SUBTYPE = "reconnection"


class TicketReconnections:
    """`outbound.ports.Reconnections` on the ticket service."""

    def __init__(self, tickets: TicketService) -> None:
        self._tickets = tickets

    async def open(
        self, facts: AccountFacts, due_at: datetime, editor: Editor
    ) -> ReconnectionTicket:
        """A reconnection ticket for the account, due at `due_at`."""
        who = editor.role if editor.user_id is None else f"{editor.role}:{editor.user_id}"
        ticket = await self._tickets.open(
            NewTicket(
                type=TicketType.SERVICE_REQUEST,
                summary=f"复电：欠费已缴清，{due_at.isoformat()} 前恢复供电 (reconnect)",
                created_by=who,
                subtype=SUBTYPE,
                priority=1,
                customer_id=facts.customer_id,
                account_id=facts.account_id,
                due_at=due_at,
            )
        )
        assert ticket.due_at is not None
        return ReconnectionTicket(ticket.id, ticket.number, ticket.due_at)
