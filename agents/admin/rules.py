"""Pure checks of what an administrator asks for: devices, skills, languages, queue
memberships. Each refusal is a 400 with a stable code naming the bad value."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from agents.admin.models import (
    AgentChanges,
    Device,
    DeviceKind,
    NewAgent,
    NoSuchQueueError,
)
from callcenter.core.errors import InvalidInputError
from callcenter.core.phone import InvalidNumberError, normalise_phone

MIN_LEVEL, MAX_LEVEL = 1, 9
LANGUAGES_MAX_CHARS = 64  # the stored column
_NAME = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8}){0,2}")
_ADDRESS = {
    DeviceKind.TWILIO_CLIENT: re.compile(r"[A-Za-z0-9_.@-]{1,121}"),
    DeviceKind.SIP: re.compile(r"(sips?:)?[A-Za-z0-9_.@+:;=-]{1,128}"),
    DeviceKind.WEBRTC: re.compile(r"[A-Za-z0-9_.+-]{1,64}"),  # the PJSIP endpoint's name
}


def device(kind: str, address: str) -> Device:
    """A device from its kind and address; phone numbers are normalised to E.164."""
    try:
        device_kind = DeviceKind(kind.strip())
    except ValueError:
        kinds = ", ".join(k.value for k in DeviceKind)
        raise InvalidInputError(
            f"unknown device kind {kind!r}; use one of {kinds}", code="invalid-device"
        ) from None
    address = address.strip()
    if device_kind is DeviceKind.PHONE:
        try:
            return Device(device_kind, normalise_phone(address))
        except InvalidNumberError as err:
            raise InvalidInputError(f"device: {err.message}", code="invalid-device") from None
    if not _ADDRESS[device_kind].fullmatch(address):
        raise InvalidInputError(
            f"not a {device_kind.value} address: {address!r}", code="invalid-device"
        )
    return Device(device_kind, address)


def parse_device(text: str) -> Device:
    """`KIND:ADDRESS`, e.g. `sip:1001`, `twilio_client:agent01`, `phone:13800138000`,
    `webrtc:2001`."""
    kind, sep, address = text.partition(":")
    if not sep:
        raise InvalidInputError(
            f"a device is KIND:ADDRESS (twilio_client, sip, phone, webrtc), not {text!r}",
            code="invalid-device",
        )
    return device(kind, address)


def _level(value: object, what: str, code: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_LEVEL <= value <= MAX_LEVEL:
        raise InvalidInputError(
            f"{what}: a level is a whole number {MIN_LEVEL}-{MAX_LEVEL}, not {value!r}", code=code
        )
    return value


def skills(given: Mapping[str, object]) -> dict[str, int]:
    """Skill names (lower case, digits, '-', '_') with levels 1-9."""
    checked = {}
    for name, level in given.items():
        if not _NAME.fullmatch(name):
            raise InvalidInputError(
                f"a skill name is lower-case letters, digits, '-' or '_': {name!r}",
                code="invalid-skill",
            )
        checked[name] = _level(level, f"skill {name}", "invalid-skill-level")
    return checked


def queues(given: Mapping[str, object], known: Iterable[str]) -> dict[str, int]:
    """Queue memberships: configured queues only, levels 1-9."""
    names = set(known)
    checked = {}
    for name, level in given.items():
        if name not in names:
            raise NoSuchQueueError(
                f"no queue named {name!r}; the queues are {', '.join(sorted(names))}"
            )
        checked[name] = _level(level, f"queue {name}", "invalid-queue-level")
    return checked


def languages(given: Iterable[str]) -> tuple[str, ...]:
    """Language tags (zh-CN, en-US…), at least one, no repeats."""
    tags = tuple(dict.fromkeys(tag.strip() for tag in given))
    bad = [tag for tag in tags if not _LANGUAGE.fullmatch(tag)]
    if bad or not tags or len(",".join(tags)) > LANGUAGES_MAX_CHARS:
        what = f"not a language tag: {bad[0]!r}" if bad else "give one to a few language tags"
        raise InvalidInputError(f"{what} (e.g. zh-CN, en-US)", code="invalid-language")
    return tags


def customer_ids(given: Iterable[int]) -> tuple[int, ...]:
    """Customer ids, positive, each once, sorted."""
    ids = sorted(set(given))
    if any(i < 1 for i in ids):
        raise InvalidInputError("customer ids are positive", code="no-such-customer")
    return tuple(ids)


def checked_new(new: NewAgent, known_queues: Iterable[str]) -> NewAgent:
    """A new agent with every part checked."""
    return replace(
        new,
        languages=languages(new.languages),
        skills=skills(new.skills),
        queues=queues(new.queues, known_queues),
        manages=customer_ids(new.manages),
    )


def checked_changes(changes: AgentChanges, known_queues: Iterable[str]) -> AgentChanges:
    """A partial update with every given part checked."""
    return replace(
        changes,
        languages=None if changes.languages is None else languages(changes.languages),
        skills=None if changes.skills is None else skills(changes.skills),
        queues=None if changes.queues is None else queues(changes.queues, known_queues),
        manages=None if changes.manages is None else customer_ids(changes.manages),
    )


def level_pairs(items: Iterable[str], what: str, code: str) -> dict[str, int]:
    """`NAME=LEVEL` (or `NAME`, level 1) from the command line, levels not yet checked."""
    pairs: dict[str, int] = {}
    for item in items:
        name, sep, level = item.partition("=")
        if sep and not level.strip().isdigit():
            raise InvalidInputError(f"{what} {item!r}: LEVEL is a number 1-9", code=code)
        pairs[name.strip()] = int(level) if sep else 1
    return pairs
