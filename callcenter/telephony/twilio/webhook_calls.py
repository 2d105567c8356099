"""The small pieces the Twilio webhooks share: the calls a CallSid names, the TwiML response,
and what identifies an offer or a status delivery in a request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web

from callcenter.core.errors import InvalidInputError

TWIML = "application/xml"


@dataclass(frozen=True, slots=True)
class LiveCall:
    """A call still going on, with the language its IVR speaks."""

    call_id: str
    caller: str
    language: str


@dataclass(frozen=True, slots=True)
class KnownCall:
    """A CallSid's call: a mapping that never changes, kept per instance so that an IVR
    step needs no database read to find its call."""

    call_id: str
    caller: str
    called: str


def twiml_response(text: str) -> web.Response:
    return web.Response(text=text, content_type=TWIML)


def offer_of(request: web.Request) -> tuple[str, int]:
    call_id, agent = request.query.get("call", ""), request.query.get("agent", "")
    if not call_id or not agent.isdigit():
        raise InvalidInputError("call and agent are required in the URL", code="invalid-webhook")
    return call_id, int(agent)


def delivery_of(params: Mapping[str, str]) -> str:
    """What tells a status callback from Twilio's retry of it: the call, its status and
    Twilio's sequence number (empty without one: then every delivery is applied)."""
    sequence = params.get("SequenceNumber")
    if not sequence:
        return ""
    return f"twilio-status:{params.get('CallSid', '')}:{sequence}:{params.get('CallStatus', '')}"


def call_sid(params: Mapping[str, str]) -> str:
    """The request's CallSid; a request without one is refused (`invalid-webhook`)."""
    sid = params.get("CallSid", "")
    if not sid:
        raise InvalidInputError("CallSid is missing", code="invalid-webhook")
    return sid
