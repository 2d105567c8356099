"""Masking phone numbers and hiding secrets in free text; one-line escaping."""

from __future__ import annotations

import pytest

from callcenter.redact import clean, escape, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13800138000", "138****8000"),
        ("caller=13800138000,", "caller=138****8000,"),
        ("+8613800138000", "+86138****8000"),
        ("+86 138 0013 8000", "+86 138 **** 8000"),
        ("0086-138-0013-8000", "0086-138-****-8000"),
        ("010-6512 3456", "010-**** 3456"),
        ("6512345", "651**45"),
        ("account 3100123456789 owes", "account 310******6789 owes"),
        ("/lookup?phone=%2B8613800138000&x=1", "/lookup?phone=%2B86138****8000&x=1"),
        ("/api/customers/13800138000/profile", "/api/customers/138****8000/profile"),
        ("[parameters: ('+8613800138000', 9)]", "[parameters: ('+86138****8000', 9)]"),
        ("Key (phone)=(+8613800138000) already", "Key (phone)=(+86138****8000) already"),
    ],
)
def test_phone_and_account_numbers_are_masked(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-03-10 09:30:00.123 and 2026-03-10T09:30:00",  # dates and times
        "CA1234567890abcdef1234567890abcdef",  # a Twilio CallSid
        "01jnvq0d1234567890abcdefgh",  # one of our ids
        "550e8400-e29b-41d4-a716-446655440000",  # a UUID
        "uniqueid 1741599000.42",  # an Asterisk Uniqueid
        "took 0.1234567 s, 1 2 3 4 5 6 7, added 120000 customers, port 5432",
    ],
)
def test_what_is_not_a_phone_number_is_left_alone(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("token cc_AbCdEf0123456789_-xyz made", "cc_AbCdEf0123456789_-xyz"),
        ("postgresql+asyncpg://cc:hunter2@db:5432/cc", "hunter2"),
        ("redis://:s3cr3t-pw@redis:6379/0", "s3cr3t-pw"),
        ("password=hunter2&user=x", "hunter2"),
        ('{"password": "two words"}', "two words"),
        ("Action: Login\r\nUsername: cc\r\nSecret: amipass\r\n", "amipass"),
        ("CALLCENTER_TWILIO__AUTH_TOKEN=0123456789abcdef", "0123456789abcdef"),
        ("api_key='k-123456'", "k-123456"),
        ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("header Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc", "eyJhbGciOiJIUzI1NiJ9"),
        ("X-Twilio-Signature: RSOYDt4T1cUTdK1PDd93/VVr8B8=", "RSOYDt4T1cUTdK1PDd93"),
    ],
)
def test_secrets_are_hidden(text: str, secret: str) -> None:
    hidden = redact(text)
    assert secret not in hidden and "***" in hidden


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("agent01\n2026-03-10 INFO forged", "agent01\\n2026-03-10 INFO forged"),
        ("a\r\tb", "a\\r\\tb"),
        ("\x1b[31mred\x7f\x9b", "\\x1b[31mred\\x7f\\x9b"),
        ("line\u2028sep \u202eevil", "line\\u2028sep \\u202eevil"),
        ("C:\\n is a path", "C:\\\\n is a path"),
        ("中文\u3000全角", "中文\u3000全角"),
    ],
)
def test_escape_keeps_text_on_one_line(text: str, expected: str) -> None:
    assert escape(text) == expected


def test_clean_masks_then_escapes() -> None:
    assert clean("13800138000\ncc_0123456789abc") == "138****8000\\ncc_***"
