"""A caller waiting for an agent in its FastAGI session: position and estimated wait, the
callback offer, music on hold while routing decides, the queue's maximum wait, and the Dial
to the agent's device when the call is offered."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from agents.models import MaxWaitAction
from agents.ports import AgentInfo
from callcenter.core.ending import EndedBy
from callcenter.core.tasks import cancel_requested
from callcenter.telephony import announce
from callcenter.telephony.asterisk.bridge import dial_args, dial_target
from callcenter.telephony.asterisk.channel import AgiChannel, CallerHungUp, Speaker
from callcenter.telephony.ports import Queueing
from ivr_flows.events import IvrEvent, QueueLeft

log = logging.getLogger(__name__)
OFFER_POLL_SECONDS = 0.5
MAX_WAIT_CHECK_POLLS = 10  # the max-wait mark is looked at every 5 s of waiting
CALLBACK_KEY_MS = 5000
KEEP_PLACE, KEEP_WAITING = "1", "2"


@dataclass(frozen=True, slots=True)
class CallOver:
    """The wait ended the call (`reason`: who ended it, for the record)."""

    reason: str


@dataclass(frozen=True, slots=True)
class Waiter:
    """One waiting caller."""

    channel: AgiChannel
    call_id: str
    caller: str
    language: str


class AgentWait:
    """Waits with the caller until an agent answers (the flow goes on: the survey), the
    caller keeps the place for a callback (the flow ends), or the queue's maximum wait ends
    the call politely. Not answered: back to the head of the queue, waiting again. A hang-up
    while waiting raises `CallerHungUp` (an abandon)."""

    def __init__(self, queueing: Queueing, speaker: Speaker, offer_seconds: int) -> None:
        self._queueing = queueing
        self._speaker = speaker
        self._offer_seconds = offer_seconds

    async def run(self, waiter: Waiter) -> IvrEvent | CallOver | None:
        """Until the caller leaves the queue one way or another."""
        if await self._announce(waiter):
            return None
        max_wait_done = False
        while True:
            await waiter.channel.run("SET MUSIC", "on", "default")
            waited = await self._offered(waiter, check_max_wait=not max_wait_done)
            await waiter.channel.run("SET MUSIC", "off")
            if isinstance(waited, MaxWaitAction):
                max_wait_done = True
                if waited is MaxWaitAction.END:
                    await self._say(waiter, "max_wait_end")
                    return CallOver(EndedBy.MAX_WAIT)
                if await self._offer_callback(waiter, "max_wait_offer", keep_on_silence=True):
                    return None
                continue
            if await self._dial(waiter, waited):
                return QueueLeft("bridged")

    async def _announce(self, waiter: Waiter) -> bool:
        """Position and wait; the callback offer when the queue makes one. True when the
        caller kept the place for a callback."""
        info = await self._queueing.waiting_info(waiter.call_id)
        if info is None:
            return False
        said = announce.queue_announcement(info, waiter.language)
        files = await self._speaker.prompts(said[:-1] if info.offer_callback else said)
        await waiter.channel.play(files)
        if not info.offer_callback:
            return False
        return await self._offer_callback(waiter, "callback_offer", keep_on_silence=False)

    async def _offer_callback(self, waiter: Waiter, prompt: str, keep_on_silence: bool) -> bool:
        offer = await self._speaker.prompt(announce.say(prompt, waiter.language))
        key = await waiter.channel.key(offer, CALLBACK_KEY_MS)
        if key != KEEP_PLACE and (key or not keep_on_silence):
            return False
        await self._queueing.request_callback(waiter.call_id, waiter.caller)
        await self._say(waiter, "callback_kept")
        return True  # the flow ends; the end sees the callback and keeps the place

    async def _say(self, waiter: Waiter, prompt: str) -> None:
        said = await self._speaker.prompt(announce.say(prompt, waiter.language))
        await waiter.channel.play([said])

    async def _dial(self, waiter: Waiter, agent: AgentInfo) -> bool:
        """Ring the agent's device; True when they answered and the conversation is over."""
        call_id, queueing = waiter.call_id, self._queueing
        target = dial_target(agent)
        status = "CHANUNAVAIL"
        if target is not None:
            if not await queueing.ringing(call_id, agent.agent_id):
                return False  # the offer went away meanwhile: wait again
            args = dial_args(target, self._offer_seconds, call_id, agent.agent_id)
            await waiter.channel.run("EXEC", "Dial", args)
            status = (await waiter.channel.run("GET VARIABLE", "DIALSTATUS")).data or "NOANSWER"
        if status == "ANSWER":  # the agent's side of the Dial ended (handed over: the other)
            talking = await queueing.agent_on(call_id) or agent.agent_id
            await queueing.agent_left(call_id, talking, EndedBy.AGENT)
            return True
        await queueing.device_unanswered(call_id, agent.agent_id, status.lower())
        return False

    async def _offered(self, waiter: Waiter, check_max_wait: bool) -> AgentInfo | MaxWaitAction:
        """Until the call is offered to an agent, or its queue's maximum wait has passed;
        listening for the caller's hang-up."""
        polls = 0
        while not cancel_requested():
            agent = await self._queueing.offer_for(waiter.call_id)
            if agent is not None:
                return agent
            polls += 1
            if check_max_wait and polls % MAX_WAIT_CHECK_POLLS == 0:
                info = await self._queueing.waiting_info(waiter.call_id)
                if info is not None and info.max_wait is not None:
                    return info.max_wait
            try:
                line = await asyncio.wait_for(waiter.channel.read_line(), OFFER_POLL_SECONDS)
            except TimeoutError:
                continue
            if line == "HANGUP":
                waiter.channel.hung_up = True
                raise CallerHungUp("while waiting for an agent")
        raise asyncio.CancelledError  # the server is stopping
