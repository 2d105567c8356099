"""`GET /api/simulator/calls/{sid}/next`: the simulator's long poll on its call's mailbox."""

from __future__ import annotations

import re
from typing import Any, Protocol

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from callcenter.core.api import endpoint
from callcenter.core.errors import InvalidInputError
from callcenter.httpkit import parse_query, respond
from callcenter.telephony.twilio.signature import SIMULATOR_ROLES

CALL_SID = re.compile(r"CA[0-9a-fA-F]{32}")


class Mailbox(Protocol):
    """Where the server leaves instructions for simulated calls (`RedisSimulatorRest`)."""

    async def next_instruction(self, sid: str, wait_seconds: int) -> dict[str, Any] | None:
        """The next instruction, waiting up to `wait_seconds`; None when none came."""


class PollQuery(BaseModel):
    """How long to wait for an instruction."""

    model_config = ConfigDict(extra="forbid")

    wait: int = Field(default=20, ge=0, le=60, description="seconds to wait (long poll)")


class InstructionOut(BaseModel):
    """What the server did to the call: redirect it to new TwiML, or end it."""

    twiml: str | None = Field(default=None, description="TwiML the call is redirected to")
    status: str | None = Field(default=None, description="`completed`: the call was ended")


class SimulatorHttp:
    """The simulator's mailbox route."""

    def __init__(self, mailbox: Mailbox) -> None:
        self._mailbox = mailbox

    def setup(self, app: web.Application) -> None:
        """Mount the route."""
        app.router.add_get("/api/simulator/calls/{call_sid}/next", self.next_instruction)

    @endpoint(
        "The next instruction for a simulated call (long poll; 204 when none came in time)",
        roles=SIMULATOR_ROLES,
        query=PollQuery,
        response=InstructionOut,
        errors=("invalid-query", "invalid-call-sid"),
        tag="simulator",
        statuses=(200, 204),
    )
    async def next_instruction(self, request: web.Request) -> web.Response:
        sid = request.match_info["call_sid"]
        if not CALL_SID.fullmatch(sid):
            raise InvalidInputError(
                f"a CallSid is CA and 32 hex digits: {sid[:40]!r}", code="invalid-call-sid"
            )
        query = parse_query(PollQuery, request.query)
        message = await self._mailbox.next_instruction(sid, query.wait)
        if message is None:
            return web.Response(status=204)
        return respond(InstructionOut.model_validate(message))
