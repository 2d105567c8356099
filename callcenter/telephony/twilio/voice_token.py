"""Twilio Voice access tokens (`agents.softphone.VoiceTokens`): a JWT signed with an API key's
secret, with a VoiceGrant that lets the device receive calls for its identity and place calls
through the TwiML App. Its times are the wall clock's: Twilio and the browser check them."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VoiceGrant

from agents.models import VoiceToken


class TwilioVoiceTokens:
    """Signs voice tokens for one account, API key and TwiML App."""

    def __init__(
        self,
        account_sid: str,
        api_key: str,
        api_secret: str,
        twiml_app_sid: str,
        ttl_seconds: int,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._account_sid = account_sid
        self._api_key = api_key
        self._api_secret = api_secret
        self._app_sid = twiml_app_sid
        self._ttl = ttl_seconds
        self._wall = wall

    def issue(self, identity: str) -> VoiceToken:
        expires = int(self._wall()) + self._ttl
        token = AccessToken(
            self._account_sid,
            self._api_key,
            self._api_secret,
            identity=identity,
            ttl=self._ttl,
            valid_until=expires,
        )
        token.add_grant(VoiceGrant(incoming_allow=True, outgoing_application_sid=self._app_sid))
        return VoiceToken(str(token.to_jwt()), identity, datetime.fromtimestamp(expires, UTC))
