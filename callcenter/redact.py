"""Hide what must never reach a log or a terminal: phone numbers and secrets in free text.

`redact` masks, in any text (a log message with its arguments, an extra field, a database
error with its `[parameters: ...]`, a traceback):

- numbers of 7 or more digits, optionally with a leading `+` (or `%2B`, URL-encoded) and
  single spaces or dashes between groups: phone numbers, account numbers (户号). The first 3
  digits (after a `+86`/`0086` prefix) and the last 4 (2 for numbers under 10 digits) stay:
  `13800138000` → `138****8000`, `+86 138 0013 8000` → `+86 138 **** 8000`. Left alone:
  digits inside a word (ids, Twilio CallSids `CA…`, hex), ISO dates and times, decimals and
  Asterisk Uniqueids (`1700000000.42`). A bare run of 7+ digits that is not a phone number
  (an epoch timestamp, a large counter) is masked too: better one number too many.
- API tokens (`cc_…`), URL userinfo passwords (`redis://:pw@host`), `password=`,
  `secret:`, `token=`, `auth_token=`, `api_key=`, `signature=` values (also in JSON or
  `Key: Value` form, as in AMI's `Secret:` and the `X-Twilio-Signature` header) and
  `Authorization:` / `Bearer` credentials.

`escape` makes text one line: control characters, line and paragraph separators and bidi
overrides become `\\n`, `\\r`, `\\t`, `\\xNN` or `\\uNNNN`, and a backslash is doubled, so a
value can never forge a line or colour a terminal.
"""

from __future__ import annotations

import re
import unicodedata

HIDDEN = "***"
MIN_DIGITS = 7
SECRET_NAMES = ("password", "secret", "token", "api_key", "authorization", "signature")

_NOT_A_PHONE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)?"  # dates, times
_PHONE = r"(?:\+|%2[Bb])?\d+(?:[ \-]\d{2,})*"
_NUMBERS = re.compile(
    rf"(?<![\w.+\-%])(?:(?P<keep>{_NOT_A_PHONE})|(?P<phone>{_PHONE}))(?!\w|[.,]\d)"
)
_PLUS = re.compile(r"\+|%2[Bb]")

_TOKEN = re.compile(r"(?<![A-Za-z0-9])cc_[A-Za-z0-9_\-]{6,}")
_URL_PASSWORD = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]*:)[^\s@/]+(?=@)")
_AUTHORIZATION = re.compile(
    r"(?i)(?P<head>\bauthorization['\"]?\s*[=:]\s*['\"]?(?:(?:bearer|basic|digest|token)\s+)?)"
    r"[^\s'\",;]+"
)
_BEARER = re.compile(r"(?i)(?P<head>\bbearer\s+)[A-Za-z0-9._~+/=\-]{8,}")
_KEYED = re.compile(
    r"(?i)(?P<head>(?<![A-Za-z0-9])"
    r"(?:password|passwd|pwd|secret|token|auth_?token|access_?token|api_?key|signature)"
    r"['\"]?\s*[=:]\s*)(?P<value>\"[^\"]*\"|'[^']*'|[^\s'\"&,;)}\]]+)"
)

_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
BIDI = frozenset(  # marks and overrides that reorder what a reader sees
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def redact(text: str) -> str:
    """`text` with its secrets hidden and its phone numbers masked."""
    text = _TOKEN.sub("cc_" + HIDDEN, text)
    text = _URL_PASSWORD.sub(rf"\g<head>{HIDDEN}", text)
    text = _AUTHORIZATION.sub(rf"\g<head>{HIDDEN}", text)
    text = _BEARER.sub(rf"\g<head>{HIDDEN}", text)
    text = _KEYED.sub(_keyed, text)
    return _NUMBERS.sub(_number, text)


def escape(text: str) -> str:
    """`text` on one line, with control and invisible reordering characters spelled out."""
    if text.isprintable() and "\\" not in text:
        return text
    return "".join(_escaped(char) for char in text)


def clean(text: str) -> str:
    """Redacted and escaped: safe to print on one line."""
    return escape(redact(text))


def is_secret_name(name: str) -> bool:
    """True for a field name whose value is a secret whatever it looks like."""
    return name.lower().endswith(SECRET_NAMES)


def _keyed(match: re.Match[str]) -> str:
    value = match["value"]
    quote = value[0] if value[0] in "'\"" else ""
    return f"{match['head']}{quote}{HIDDEN}{quote}"


def _number(match: re.Match[str]) -> str:
    run = match["phone"]
    if run is None:
        return match[0]
    plus = _PLUS.match(run)
    prefix, number = (plus[0], run[plus.end() :]) if plus else ("", run)
    digits = sum(char.isdigit() for char in number)
    if digits < MIN_DIGITS:
        return run
    country = 2 if prefix and number.startswith("86") else 4 if number.startswith("0086") else 0
    head = 3 + country
    tail = 4 if digits - head >= 8 else 2
    seen, out = 0, [prefix]
    for char in number:
        if char.isdigit():
            seen += 1
            out.append("*" if head < seen <= digits - tail else char)
        else:
            out.append(char)
    return "".join(out)


def _escaped(char: str) -> str:
    if char in _ESCAPES:
        return _ESCAPES[char]
    if char.isprintable() and char not in BIDI:
        return char
    if unicodedata.category(char) == "Zs":  # a space other than " ": printable enough
        return char
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
