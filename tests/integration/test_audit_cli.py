"""`callcenter audit export` (embedded SQLite in a temporary directory): the API's filters
and formats, to a file; a bad filter is one line on stderr and a failing exit."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.integration.test_cli_admin import _in_tmp, run  # noqa: F401  (autouse fixture)


@pytest.fixture
def audited(capsys: pytest.CaptureFixture[str]) -> None:
    """A change made on the command line: a new agent (its agent record)."""
    code, _, err = run(
        capsys, "user", "add", "--role", "agent", "wang.li", "--password", "pw12345678"
    )
    assert code == 0, err


def test_an_export_writes_the_filtered_entries_to_a_file(
    capsys: pytest.CaptureFixture[str], audited: None, tmp_path: Path
) -> None:
    out = tmp_path / "audit.ndjson"
    code, _, err = run(
        capsys, "audit", "export", "--entity", "agent", "--action", "create", "--actor-role", "cli",
        "--since", "2000-01-01T00:00", "--format", "ndjson", "--output", str(out),
    )  # fmt: skip
    assert (code, err.strip()) == (0, "exported 1 audit entries")
    (entry,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert (entry["entity"], entry["action"], entry["actor_role"]) == ("agent", "create", "cli")


def test_a_csv_export_starts_with_the_header(
    capsys: pytest.CaptureFixture[str], audited: None, tmp_path: Path
) -> None:
    out = tmp_path / "audit.csv"
    code, _, _ = run(capsys, "audit", "export", "--until", "2000-01-01", "--output", str(out))
    assert code == 0
    with out.open(newline="") as f:
        assert list(csv.reader(f)) == [
            [
                "id",
                "at",
                "actor_role",
                "actor_id",
                "address",
                "entity",
                "entity_id",
                "action",
                "data",
            ]
        ]


@pytest.mark.parametrize(
    "option", [["--since", "yesterday"], ["--actor-id", "abc"], ["--entity", "e" * 33]]
)
def test_a_bad_filter_is_refused_on_one_line(
    capsys: pytest.CaptureFixture[str], audited: None, option: list[str]
) -> None:
    code, out, err = run(capsys, "audit", "export", *option)
    assert code != 0 and out == ""
    assert err.startswith("callcenter: ") and len(err.strip().splitlines()) == 1
