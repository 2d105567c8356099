"""Only the first worker of `serve --workers N` runs the once-per-deployment jobs."""

from __future__ import annotations

from callcenter.config import Settings
from callcenter.web.workers import worker_settings


def _jobs(settings: Settings) -> tuple[bool, bool, str, bool, bool]:
    return (
        settings.routing.run_router,
        settings.outbound.run_dialer,
        settings.asterisk.fastagi_listen,
        settings.database.migrate_on_start,
        settings.demo.load_on_first_start,
    )


def test_the_first_worker_keeps_the_jobs_the_others_run_none() -> None:
    settings = Settings.model_validate({"asterisk": {"fastagi_listen": "127.0.0.1:4573"}})
    assert _jobs(worker_settings(settings, 0)) == (True, True, "127.0.0.1:4573", True, True)
    assert _jobs(worker_settings(settings, 1)) == (False, False, "", False, False)
    assert worker_settings(settings, 1).server == settings.server
