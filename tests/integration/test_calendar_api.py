"""The working-day calendar's API through the running app (embedded and real stores): the
shipped years, the flag for a year with none, operators' replacements that override the file
(audited, refused with stable codes when wrong, nothing stored then), and `callcenter check`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from aiohttp import web

from callcenter.core.api import Role
from callcenter.core.clock import ManualClock
from callcenter.core.work_calendar import CalendarOrigin
from callcenter.storage.audit import SqlAuditLog
from callcenter.tickets.calendar_http import CALENDARS
from callcenter.web.keys import ENGINE
from tests.integration.admin_helpers import Client, app_client, make_app, send, staff
from tests.integration.test_cli import run

client = app_client
NOVEMBER = datetime(2026, 11, 2, 2, tzinfo=UTC)

YEAR_2027 = {
    "holidays": [{"date": "2027-01-01", "name": "元旦"}, {"date": "2027-02-08", "name": "春节"}],
    "workdays": [{"date": "2027-02-06", "name": "春节"}],
    "source": "国务院办公厅通知 (entered by hand)",
}


@pytest.fixture
async def operator(client: Client) -> dict[str, str]:
    return (await staff(client, Role.OPERATOR))[1]


@pytest.fixture
async def supervisor(client: Client) -> dict[str, str]:
    return (await staff(client, Role.SUPERVISOR))[1]


def dates(body: dict[str, Any], key: str) -> set[str]:
    return {d["date"] for d in body[key]}


async def test_the_2025_file(client: Client, supervisor: dict[str, str]) -> None:
    status, body = await send(client, "GET", "/api/calendars/2025", supervisor)
    assert status == 200
    assert (body["origin"], body["calendar_missing"], body["has_file"]) == ("file", False, True)
    assert {"2025-01-26", "2025-02-08"} <= dates(body, "workdays")
    national_day = {(date(2025, 10, 1) + timedelta(days=n)).isoformat() for n in range(8)}
    assert national_day <= dates(body, "holidays")
    assert "chinesecalendar" in body["source"]


async def test_a_year_with_no_calendar_is_flagged(
    client: Client, supervisor: dict[str, str], clock: ManualClock
) -> None:
    status, body = await send(client, "GET", "/api/calendars/2027", supervisor)
    assert status == 200
    assert (body["origin"], body["calendar_missing"]) == ("missing", True)
    assert "calendar_missing" in body["warning"]
    status, listed = await send(client, "GET", "/api/calendars", supervisor)
    assert status == 200 and listed["missing"] == []  # in March 2026, 2027 is not needed yet
    assert [y["year"] for y in listed["years"]] == [2025, 2026]
    clock.set(NOVEMBER)  # from November the next year is needed
    listed = (await send(client, "GET", "/api/calendars", supervisor))[1]
    assert listed["missing"] == [2027] and "2027" in listed["warning"]


async def test_the_missing_year_is_logged_at_start_up(
    aiohttp_client: Callable[[web.Application], Awaitable[Client]],
    stores: tuple[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR):
        await aiohttp_client(make_app(stores, ManualClock(NOVEMBER)))
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert [e[:34] for e in errors] == ["no working-day calendar for 2027: "]


async def test_an_operator_enters_a_year(
    client: Client, operator: dict[str, str], supervisor: dict[str, str], clock: ManualClock
) -> None:
    status, body = await send(client, "PUT", "/api/calendars/2027", operator, YEAR_2027)
    assert status == 200
    assert (body["origin"], body["calendar_missing"], body["has_file"]) == ("stored", False, False)
    assert dates(body, "workdays") == {"2027-02-06"}
    assert body["updated_by"] is not None
    clock.set(NOVEMBER)
    listed = (await send(client, "GET", "/api/calendars", supervisor))[1]
    assert listed["missing"] == [] and listed["warning"] is None
    calendar = await client.app[CALENDARS].calendar()
    assert calendar.is_working_day(date(2027, 2, 6)) and not calendar.is_working_day(
        date(2027, 2, 8)
    )
    entries = await SqlAuditLog(client.app[ENGINE]).entries("calendar", "cn-2027")
    assert [(e.action, e.editor.role) for e in entries] == [("replace", "operator")]
    assert entries[0].data["before"] is None


async def test_a_stored_year_overrides_the_file_until_dropped(
    client: Client, operator: dict[str, str]
) -> None:
    storm = {"holidays": [{"date": "2025-03-05", "name": "typhoon day"}]}
    status, body = await send(client, "PUT", "/api/calendars/2025", operator, storm)
    assert status == 200 and body["origin"] == "stored" and body["has_file"]
    calendar = await client.app[CALENDARS].calendar()
    assert not calendar.is_working_day(date(2025, 3, 5))
    assert calendar.years[2025].origin is CalendarOrigin.STORED
    status, body = await send(client, "DELETE", "/api/calendars/2025", operator)
    assert status == 200 and body["origin"] == "file"
    assert "2025-03-05" not in dates(body, "holidays")
    entries = await SqlAuditLog(client.app[ENGINE]).entries("calendar", "cn-2025")
    assert [e.action for e in entries] == ["replace", "revert"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "code"),
    [
        (
            "PUT",
            "/api/calendars/2027",
            {"holidays": [{"date": "2027-02-02"}], "workdays": [{"date": "2027-02-03"}]},
            400,
            "invalid-calendar",
        ),
        (
            "PUT",
            "/api/calendars/2027",
            {"holidays": [{"date": "2026-12-31"}]},
            400,
            "invalid-calendar",
        ),
        (
            "PUT",
            "/api/calendars/2027",
            {"holidays": [{"date": "2027-01-01"}] * 2},
            400,
            "invalid-calendar",
        ),
        ("PUT", "/api/calendars/2027", {"holidays": [{"date": "not a date"}]}, 400, "invalid-body"),
        ("PUT", "/api/calendars/2027", {"days": []}, 400, "invalid-body"),
        ("PUT", "/api/calendars/1800", {"holidays": []}, 400, "invalid-year"),
        ("PUT", "/api/calendars/next", {"holidays": []}, 400, "invalid-id"),
        ("GET", "/api/calendars/3000", None, 400, "invalid-year"),
        ("DELETE", "/api/calendars/2026", None, 404, "no-stored-calendar"),
    ],
)
async def test_bad_requests_are_refused_and_store_nothing(
    client: Client,
    operator: dict[str, str],
    method: str,
    path: str,
    body: Any,
    status: int,
    code: str,
) -> None:
    answer = await send(client, method, path, operator, body)
    assert (answer[0], answer[1]["error"]["code"]) == (status, code)
    listed = (await send(client, "GET", "/api/calendars", operator))[1]
    assert [y["origin"] for y in listed["years"]] == ["file", "file"]


@pytest.mark.parametrize(("role", "method"), [(Role.SUPERVISOR, "PUT"), (Role.AGENT, "GET")])
async def test_roles(client: Client, role: Role, method: str) -> None:
    _, auth = await staff(client, role)
    status, body = await send(client, method, "/api/calendars/2027", auth, YEAR_2027)
    assert (status, body["error"]["code"]) == (403, "forbidden")


def test_check_shows_the_calendar(
    capsys: pytest.CaptureFixture[str], tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("CALLCENTER_CONFIG", "CALLCENTER_DATABASE__URL", "CALLCENTER_REDIS__URL"):
        monkeypatch.delenv(name, raising=False)
    code, out, _ = run(capsys, "check")
    assert code == 0
    assert "working-day calendar cn: 2025 (file), 2026 (file)" in out
