"""The texts (SMS) of notice campaigns: one short template per campaign type and language
(`outbound/texts/templates.yaml`), filled with the target's values; times in the utility's local
time. Pure once loaded."""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from outbound.models import CampaignType

TEXT_TYPES = frozenset(
    {
        CampaignType.OUTAGE_NOTICE,
        CampaignType.ETR_UPDATE,
        CampaignType.RESTORATION_NOTICE,
        CampaignType.BILL_REMINDER,
        CampaignType.LOW_BALANCE,
        CampaignType.ZERO_BALANCE,
    }
)
LANGUAGES = ("zh-CN", "en-US")
DEFAULT_LANGUAGE = "zh-CN"
TIME_KEYS = frozenset(
    {"outage_start", "outage_restore", "outage_etr", "previous_restore", "restored_at"}
)
DATE_KEYS = frozenset({"due_date"})
SHIPPED = Path(__file__).with_name("templates.yaml")
# libyaml's C parser where PyYAML has it: 0.34 ms to parse this file against 4.2 ms for the
# pure-Python one, and every app (each test's too) loads it
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class TextTemplateError(ValueError):
    """The templates file lacks a type or a language, or names an unknown field."""


def language_of(values: Mapping[str, str]) -> str:
    """The target's language: its `lang` value when it is one we write, else Chinese."""
    lang = values.get("lang", "")
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


def _when(value: str, language: str, zone: ZoneInfo, *, with_time: bool) -> str:
    try:
        at = datetime.fromisoformat(value)
    except ValueError:
        return value
    if with_time and at.tzinfo is not None:
        at = at.astimezone(zone)
    day: date = at.date()
    if language == "zh-CN":
        text = f"{day.month}月{day.day}日"
        return f"{text}{at:%H:%M}" if with_time else text
    text = f"{day:%b} {day.day}"
    return f"{text} {at:%H:%M}" if with_time else f"{text}, {day.year}"


def fields(values: Mapping[str, str], language: str, zone: ZoneInfo) -> dict[str, str]:
    """What a template may name: the values with times and dates made local and readable,
    `account_tail` and `outage_restore` (falling back to `outage_etr`)."""
    found = {k: str(v) for k, v in values.items()}
    found.setdefault("outage_restore", found.get("outage_etr", ""))
    for key in TIME_KEYS | DATE_KEYS:
        if found.get(key):
            found[key] = _when(found[key], language, zone, with_time=key in TIME_KEYS)
    found["account_tail"] = found.get("account_no", "")[-4:]
    return found


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def load_yaml(text: str) -> Any:
    """`yaml.safe_load`, parsed in C where it can be; errors are `yaml.YAMLError` as ever."""
    return yaml.load(text, Loader=_LOADER)  # a safe loader: plain data only


@dataclass(frozen=True, slots=True)
class TextTemplates:
    """Templates by (campaign type, language)."""

    templates: Mapping[tuple[CampaignType, str], str]
    zone: ZoneInfo

    @classmethod
    def load(cls, timezone: str, path: Path = SHIPPED) -> TextTemplates:
        """Read and check the templates file: every text type in every language."""
        raw = load_yaml(path.read_text(encoding="utf-8")) or {}
        found: dict[tuple[CampaignType, str], str] = {}
        for kind in sorted(TEXT_TYPES):
            for lang in LANGUAGES:
                text = (raw.get(kind.value) or {}).get(lang)
                if not isinstance(text, str) or not text.strip():
                    raise TextTemplateError(f"{path.name}: no {lang} text for {kind.value}")
                _check_fields(text, f"{path.name}: {kind.value}.{lang}")
                found[(kind, lang)] = text.strip()
        return cls(found, ZoneInfo(timezone))

    def render(self, kind: CampaignType, values: Mapping[str, str]) -> tuple[str, str]:
        """The text for a target and its language (a missing value reads as empty)."""
        language = language_of(values)
        template = self.templates[(kind, language)]
        return template.format_map(_Blank(fields(values, language, self.zone))), language


def _check_fields(text: str, where: str) -> None:
    try:
        names = {part[1] for part in string.Formatter().parse(text) if part[1] is not None}
    except ValueError as err:
        raise TextTemplateError(f"{where}: {err}") from err
    bad = sorted(n for n in names if not n.isidentifier())
    if bad:
        raise TextTemplateError(f"{where}: fields must be plain names, not {bad}")
