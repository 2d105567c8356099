"""The working-day calendar's API (`/api/calendars`): the years in force and the warning
for a year with none, one year's days, an operator's replacement of a year (it overrides the
data file), and dropping that replacement."""

from __future__ import annotations

import datetime as dt
import logging

from aiohttp import web
from pydantic import BaseModel, ConfigDict, Field

from callcenter.core.api import STAFF_ROLES, Role, endpoint
from callcenter.core.errors import CallcenterError
from callcenter.core.work_calendar import (
    CalendarDay,
    CalendarOrigin,
    DayKind,
    YearCalendar,
    missing_warning,
)
from callcenter.httpkit import editor_of, parse_body, path_int, respond
from callcenter.tickets.calendar_service import CalendarService, CalendarYear

log = logging.getLogger(__name__)
OPERATORS = frozenset({Role.OPERATOR, Role.ADMIN})
CALENDARS = web.AppKey("calendars", CalendarService)


class CalendarDayIn(BaseModel):
    """A holiday, or a make-up working day on a weekend."""

    model_config = ConfigDict(extra="forbid")

    date: dt.date
    name: str = Field(default="", max_length=80)


class CalendarIn(BaseModel):
    """A whole year's exceptions to the Monday-to-Friday week (it replaces the year)."""

    model_config = ConfigDict(extra="forbid")

    holidays: list[CalendarDayIn] = Field(max_length=366)
    workdays: list[CalendarDayIn] = Field(default_factory=list, max_length=366)
    source: str = Field(default="operator", min_length=1, max_length=200)


class CalendarDayOut(BaseModel):
    """One listed day."""

    date: dt.date
    name: str


class CalendarOut(BaseModel):
    """A year: the days in force, where they come from, and the flag when there are none."""

    region: str
    year: int
    origin: CalendarOrigin
    calendar_missing: bool
    warning: str | None
    has_file: bool
    source: str | None
    generated_on: dt.date | None
    updated_at: dt.datetime | None
    updated_by: int | None
    holidays: list[CalendarDayOut]
    workdays: list[CalendarDayOut]


class CalendarSummaryOut(BaseModel):
    """A year in the list."""

    year: int
    origin: CalendarOrigin
    source: str
    holidays: int
    workdays: int


class CalendarsOut(BaseModel):
    """The years with a calendar; the years needed (this one, from November the next)
    without one are flagged."""

    years: list[CalendarSummaryOut]
    missing: list[int]
    warning: str | None


def _days(calendar: YearCalendar | None, kind: DayKind) -> list[CalendarDayOut]:
    days = calendar.days if calendar else ()
    return [CalendarDayOut(date=d.day, name=d.name) for d in days if d.kind is kind]


def _out(view: CalendarYear) -> CalendarOut:
    calendar = view.calendar
    missing = view.origin is CalendarOrigin.MISSING
    return CalendarOut(
        region=calendar.region if calendar else "cn",
        year=view.year,
        origin=view.origin,
        calendar_missing=missing,
        warning=missing_warning([view.year]) if missing else None,
        has_file=view.has_file,
        source=calendar.source if calendar else None,
        generated_on=calendar.generated_on if calendar else None,
        updated_at=view.updated_at,
        updated_by=view.updated_by,
        holidays=_days(calendar, DayKind.HOLIDAY),
        workdays=_days(calendar, DayKind.WORKDAY),
    )


class CalendarHttp:
    """The calendar routes, and the warning at start-up for a year with no calendar."""

    def __init__(self, service: CalendarService) -> None:
        self._service = service

    def setup(self, app: web.Application) -> None:
        """Mount the routes, put the service on the app, warn at start-up."""
        app[CALENDARS] = self._service
        app.router.add_get("/api/calendars", self.list_calendars)
        app.router.add_get("/api/calendars/{year}", self.get_calendar)
        app.router.add_put("/api/calendars/{year}", self.replace_calendar)
        app.router.add_delete("/api/calendars/{year}", self.revert_calendar)
        app.on_startup.append(self._warn)

    async def _warn(self, app: web.Application) -> None:
        try:
            await self._service.warn_missing()
        except CallcenterError as err:  # the database's own check reports it
            log.error("working-day calendars not checked: %s", err.message)

    @endpoint(
        "Working-day calendars: the years known, and the years needed without one",
        roles=STAFF_ROLES,
        response=CalendarsOut,
        tag="calendars",
    )
    async def list_calendars(self, request: web.Request) -> web.Response:
        overview = await self._service.overview()
        years = [
            CalendarSummaryOut(
                year=v.year,
                origin=v.origin,
                source=v.calendar.source,
                holidays=len(v.calendar.holidays),
                workdays=len(v.calendar.workdays),
            )
            for v in overview.years
            if v.calendar is not None
        ]
        return respond(
            CalendarsOut(years=years, missing=list(overview.missing), warning=overview.warning)
        )

    @endpoint(
        "A year's holidays and make-up working days (调休), or its calendar_missing flag",
        roles=STAFF_ROLES,
        response=CalendarOut,
        errors=("invalid-id", "invalid-year"),
        tag="calendars",
    )
    async def get_calendar(self, request: web.Request) -> web.Response:
        return respond(_out(await self._service.year(path_int(request, "year"))))

    @endpoint(
        "Replace a year's calendar (overrides its data file; audited)",
        roles=OPERATORS,
        body=CalendarIn,
        response=CalendarOut,
        errors=("invalid-body", "invalid-id", "invalid-year", "invalid-calendar"),
        tag="calendars",
    )
    async def replace_calendar(self, request: web.Request) -> web.Response:
        year = path_int(request, "year")
        body = await parse_body(CalendarIn, request)
        days = [CalendarDay(d.date, DayKind.HOLIDAY, d.name) for d in body.holidays]
        days += [CalendarDay(d.date, DayKind.WORKDAY, d.name) for d in body.workdays]
        editor = editor_of(request)
        return respond(_out(await self._service.replace(year, days, body.source, editor)))

    @endpoint(
        "Drop the operators' version of a year: its data file is in force again (audited)",
        roles=OPERATORS,
        response=CalendarOut,
        errors=("invalid-id", "invalid-year", "no-stored-calendar"),
        tag="calendars",
    )
    async def revert_calendar(self, request: web.Request) -> web.Response:
        year = path_int(request, "year")
        editor = editor_of(request)
        return respond(_out(await self._service.revert(year, editor)))
