"""What a FastAGI session does when something behind it fails (PostgreSQL or Redis down, a
bug): the caller hears an apology, and the session ends with `CC_FALLBACK=1` (and
`CC_FALLBACK_NUMBER` from `[asterisk] fallback_number` when set) on the channel, so the
dialplan after `AGI(...)` takes the caller on (`GotoIf` → `Dial` the duty number, or a
`Queue`/voicemail: see the sample `config/asterisk/extensions.conf`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Final

from callcenter.telephony.asterisk.agi import AgiProtocolError
from callcenter.telephony.asterisk.channel import AgiChannel, CallerHungUp, SessionLost, Speaker
from ivr_flows.commands import Say

log = logging.getLogger(__name__)
FLOW: Final = "queue"
APOLOGY: Final = "store_down_apology"
LANGUAGES: Final = ("zh-CN", "en-US")  # the session's language is not known here
FLAG: Final = "CC_FALLBACK"
NUMBER: Final = "CC_FALLBACK_NUMBER"


class AgiFallback:
    """Apologises on a failed session's channel and hands it back to the dialplan."""

    def __init__(self, speaker: Speaker, number: str = "") -> None:
        self._speaker = speaker
        self.number = number

    async def answer(self, channel: AgiChannel | None, err: Exception) -> None:
        """Set the fallback variables and speak the apology; a caller already gone or a
        connection lost on the way is only logged."""
        log.warning("FastAGI session failed (%s): the dialplan falls back", type(err).__name__)
        if channel is None:
            return
        try:
            await channel.run("SET VARIABLE", FLAG, "1")
            if self.number:
                await channel.run("SET VARIABLE", NUMBER, self.number)
            if not channel.hung_up:
                files = [await self._speaker.prompt(Say(FLOW, APOLOGY, lang)) for lang in LANGUAGES]
                await channel.play(files)
        except (CallerHungUp, ConnectionError, TimeoutError, AgiProtocolError) as lost:
            log.info("FastAGI fallback not completed: %s", type(lost).__name__)

    async def guard(
        self, session: Awaitable[None], channel: AgiChannel, reader: asyncio.StreamReader
    ) -> None:
        """Run a session; a connection error or time-out while the FastAGI connection is
        still up came from a store (asyncpg's refused connection is a `ConnectionError`),
        not from Asterisk: it falls back like any other failure."""
        try:
            await session
        except (ConnectionError, TimeoutError) as err:
            gone = isinstance(err, SessionLost) or reader.at_eof() or reader.exception()
            if gone or channel.hung_up:
                raise
            await self.answer(channel, err)
