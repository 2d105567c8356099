"""`callcenter check`: what a start of the server would meet, one line each (configuration
warnings, the database, Redis, Asterisk's prompts), and whether it is fit to start. It
creates nothing: a brand-new directory is reported as such, not as a failure."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from callcenter.config import Settings
from callcenter.core.errors import CallcenterError
from callcenter.core.work_calendar import (
    REGION,
    YearCalendar,
    load_files,
    merged,
    missing_warning,
    years_needed,
)
from callcenter.state import redis as redis_state
from callcenter.storage import db, migrate
from callcenter.storage.calendars import SqlCalendarStore
from callcenter.telephony.asterisk.tts import EspeakTts, static_prompts
from ivr_flows.loader import default_flow_files, load_flows

Say = Callable[[str], None]


async def run(settings: Settings, say: Say) -> bool:
    """Report each check through `say`; True when nothing failed (warnings do not fail)."""
    say(f"configuration: ok (policy pack {settings.policy.pack})")
    for warning in settings.warnings():
        say(f"warning: {warning}")
    ok = await _database(settings, say)
    await _calendars(settings, say, read_stored=ok)  # issue 15: warns, never fails
    ok = await _redis(settings, say) and ok
    if settings.asterisk.fastagi_address is not None:
        ok = _prompts(settings, say) and ok
    return ok


async def _database(settings: Settings, say: Say) -> bool:
    where = f"database {settings.database_url_masked}"
    new_file = settings.sqlite_file
    if new_file is not None and not new_file.exists():
        return _not_created_yet(settings, new_file, where, say)
    engine = db.create_engine(settings.database_url)
    try:
        await db.ping(engine)
        current = await migrate.current_revision(engine)
    except CallcenterError as err:
        say(f"database: FAILED: {err.message}")
        return False
    finally:
        await engine.dispose()
    head = migrate.head_revision()
    if current == head:
        say(f"{where}: reachable, schema up to date")
        return True
    say(f"{where}: reachable, schema at {current}, newest {head}: run `callcenter db upgrade`")
    return False


def _not_created_yet(settings: Settings, path: Path, where: str, say: Say) -> bool:
    parent = next(p for p in path.parents if p.exists())
    if not os.access(parent, os.W_OK):
        say(f"{where}: FAILED: not created yet, and {parent} is not writable")
        return False
    if not settings.database.migrate_on_start:
        say(f"{where}: not created yet; run `callcenter db upgrade` (migrate_on_start is off)")
        return False
    say(f"{where}: not created yet; the first `callcenter serve` creates it")
    return True


async def _redis(settings: Settings, say: Say) -> bool:
    password = settings.redis.password
    client = redis_state.connect(  # a bad URL or prefix is a ConfigError: exit 2
        settings.redis.url,
        None if password is None else password.get_secret_value(),
        settings.redis.key_prefix,
    )
    try:
        await redis_state.ping(client, settings.redis.url)
    except CallcenterError as err:
        say(f"redis: FAILED: {err.message}")
        return False
    finally:
        await client.aclose()
    say(f"redis {redis_state.masked(settings.redis.url)}: reachable")
    return True


def _prompts(settings: Settings, say: Say) -> bool:
    """The flows' fixed prompts Asterisk plays: rendered, or renderable at the next start."""
    tts = EspeakTts(settings.prompts_dir)
    prompts = static_prompts(load_flows(default_flow_files(settings.ivr.flows_dir)).values())
    missing = tts.missing(prompts)
    where = f"asterisk prompts {tts.directory}"
    if missing and not tts.available():
        say(
            f"{where}: FAILED: {len(missing)} of {len(prompts)} fixed prompts are missing and "
            f"{tts.binary} is not installed (apt-get install espeak-ng)"
        )
        return False
    if missing:
        say(
            f"{where}: {len(missing)} of {len(prompts)} fixed prompts not rendered yet; the "
            "FastAGI server renders them when it starts (or run `callcenter prompts render`)"
        )
    else:
        say(f"{where}: all {len(prompts)} fixed prompts rendered")
    if not tts.available():
        say(f"warning: {tts.binary} is not installed: prompts with variables cannot be spoken")
    return True


async def _calendars(settings: Settings, say: Say, *, read_stored: bool) -> None:
    """The working-day calendar years in force (the files, the stored versions over them)
    and a warning for a year needed (this one, from November the next) with none."""
    years: Mapping[int, YearCalendar] = load_files()
    new_file = settings.sqlite_file
    if read_stored and (new_file is None or new_file.exists()):  # create nothing
        engine = db.create_engine(settings.database_url)
        try:
            stored = await SqlCalendarStore(engine).stored(REGION)
            years = merged(years, [s.calendar for s in stored])
        except Exception as err:  # reported; the files alone are then shown
            say(f"working-day calendar: stored years not read: {err}")
        finally:
            await engine.dispose()
    today = datetime.now(ZoneInfo(settings.server.timezone)).date()
    for line in calendar_lines(years, today):
        say(line)


def calendar_lines(years: Mapping[int, YearCalendar], today: date) -> list[str]:
    """What `check` says of the calendar: the years and where they come from, then the
    warning for the years needed (this one, from November the next) with no calendar."""
    known = ", ".join(f"{y} ({years[y].origin.value})" for y in sorted(years)) or "none"
    lines = [f"working-day calendar {REGION}: {known}"]
    missing = [y for y in years_needed(today) if y not in years]
    if missing:
        lines.append(f"warning: {missing_warning(missing)}")
    return lines
