"""Say numbers the way a caller expects to hear them: money in yuan and jiao, dates and times
naturally, account and phone numbers digit by digit; in Chinese and in English.

Template filters read the session language from the `lang` variable every render has.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


CONTEXT_NAMES = frozenset({"lang"})  # what the filters read from a template's context


def _lang(context: Context) -> str:
    return str(context.get("lang", "zh-CN"))


def say_money(value: Any, lang: str) -> str:
    """`123.45` -> 123元4角5分 / 123 yuan 4 jiao 5 fen; `100.05` -> 100元零5分."""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(value)
    sign, amount = ("负" if lang.startswith("zh") else "minus ") if amount < 0 else "", abs(amount)
    yuan, cents = divmod(int(amount * 100), 100)
    jiao, fen = divmod(cents, 10)
    if lang.startswith("zh"):
        text = f"{yuan}元" if yuan or not cents else ""
        if jiao:
            text += f"{jiao}角"
        elif fen and yuan:
            text += "零"
        text += f"{fen}分" if fen else ""
        return sign + text
    parts = [f"{yuan} yuan"] if yuan or not cents else []
    parts += [f"{jiao} jiao"] if jiao else []
    parts += [f"{fen} fen"] if fen else []
    return sign + " ".join(parts)


def say_digits(value: Any) -> str:
    """`3300000012` -> `3 3 0 0 0 0 0 0 1 2` (text to speech then reads each digit)."""
    return " ".join(ch for ch in str(value) if ch.isalnum())


def _as_datetime(value: Any) -> datetime | date | None:
    if isinstance(value, datetime | date):
        return value
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        return None


def say_date(value: Any, lang: str) -> str:
    """3月10日 / March 10."""
    when = _as_datetime(value)
    if when is None:
        return str(value)
    if lang.startswith("zh"):
        return f"{when.month}月{when.day}日"
    return f"{MONTHS[when.month - 1]} {when.day}"


def say_time(value: Any, lang: str) -> str:
    """14点30分 / 2:30 PM."""
    when = _as_datetime(value)
    if not isinstance(when, datetime):
        return str(value)
    if lang.startswith("zh"):
        return f"{when.hour}点整" if when.minute == 0 else f"{when.hour}点{when.minute}分"
    hour = when.hour % 12 or 12
    return f"{hour}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'}"


def say_datetime(value: Any, lang: str) -> str:
    """3月10日14点30分 / March 10 at 2:30 PM."""
    joiner = "" if lang.startswith("zh") else " at "
    return say_date(value, lang) + joiner + say_time(value, lang)


def _localised(say: Callable[[Any, str], str]) -> Callable[[Context, Any], str]:
    @pass_context
    def in_language(context: Context, value: Any) -> str:
        return say(value, _lang(context))

    return in_language


def install_filters(env: Environment) -> None:
    """Register `money`, `digits`, `date`, `time` and `datetime` on `env`."""
    env.filters.update(
        {
            "money": _localised(say_money),
            "digits": say_digits,
            "date": _localised(say_date),
            "time": _localised(say_time),
            "datetime": _localised(say_datetime),
        }
    )
