"""The demo's one-time message: the passwords and the admin API token go to a file only its
owner can read (`<data_dir>/demo-credentials.txt`, mode 0600); the printed banner names the
file, the logins and their roles, and numbers to try, never a secret."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

CREDENTIALS_FILE = "demo-credentials.txt"


@dataclass(frozen=True, slots=True)
class Login:
    """A demo login; the password goes only to the owner's credentials file."""

    username: str
    role: str
    password: str = field(repr=False)
    display_name: str


@dataclass(frozen=True, slots=True)
class DemoLogins:
    """What a newcomer needs to sign in, written once when the demo is created."""

    logins: list[Login]
    api_token: str = field(repr=False)


def announce_demo(
    logins: DemoLogins, examples: dict[str, str], base_url: str, data_dir: Path
) -> str:
    """Write the credentials file and return the banner that points to it."""
    path = write_credentials(logins, examples, base_url, data_dir)
    return format_banner(logins, examples, base_url, path)


def write_credentials(
    logins: DemoLogins, examples: dict[str, str], base_url: str, data_dir: Path
) -> Path:
    """Replace `<data_dir>/demo-credentials.txt` atomically by a file created with mode 0600
    (never readable by others, not even for a moment); its path."""
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / CREDENTIALS_FILE
    fd, temporary = tempfile.mkstemp(prefix=f".{CREDENTIALS_FILE}.", dir=data_dir)  # 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(_credentials(logins, examples, base_url))
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def format_banner(
    logins: DemoLogins, examples: dict[str, str], base_url: str, credentials: Path
) -> str:
    """The printed message: where the passwords are, who can sign in, numbers to try."""
    lines = [
        "Demo data loaded. The passwords and an admin API token are in",
        f"  {credentials}",
        "(readable by you only; note them, then delete the file). The logins:",
        "",
    ]
    lines += [f"  {x.role:<10} {x.username:<11} {x.display_name}" for x in logins.logins]
    lines += _numbers(examples)
    if examples:
        lines += ["", "  TOKEN=<the admin API token from that file>", *_curl(examples, base_url)]
    return "\n".join(lines)


def _credentials(logins: DemoLogins, examples: dict[str, str], base_url: str) -> str:
    lines = ["# callcenter demo logins: shown once, readable by the owner only.", ""]
    lines += [
        f"{x.role:<10} {x.username:<11} {x.password}   {x.display_name}" for x in logins.logins
    ]
    lines += ["", f"admin API token: {logins.api_token}"]
    if examples:
        lines += ["", f"TOKEN={logins.api_token}", *_curl(examples, base_url)]
    return "\n".join(lines) + "\n"


def _numbers(examples: dict[str, str]) -> list[str]:
    return ["", "  Numbers to try:", *(f"    {num}  {what}" for what, num in examples.items())]


def _curl(examples: dict[str, str], base_url: str) -> list[str]:
    number = next(iter(examples.values())).replace("+", "%2B")
    return [
        '  curl -H "Authorization: Bearer $TOKEN" \\',
        f"       '{base_url}/api/customers/lookup?phone={number}'",
    ]
