"""`callcenter check` and the start of `serve` as a newcomer meets them (issue 12, item 7):
a brand-new directory is not a failure, Twilio without a public URL is warned about, and
Asterisk's prompts are reported (and a FastAGI server that cannot render them does not
start)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from callcenter.devtools.servers import free_port
from tests.integration.test_cli import run


@pytest.fixture(autouse=True)
def _newcomer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty directory and no configuration in the environment."""
    monkeypatch.chdir(tmp_path)
    for name in ("CALLCENTER_CONFIG", "CALLCENTER_DATABASE__URL", "CALLCENTER_REDIS__URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)


def without_espeak(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "empty-bin").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))


def test_check_in_a_brand_new_directory_passes_and_creates_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "check")
    assert code == 0
    assert "not created yet; the first `callcenter serve` creates it" in out
    assert "redis memory://: reachable" in out
    assert list(tmp_path.iterdir()) == []


def test_check_in_a_new_directory_without_migrations_on_start_says_what_to_run(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLCENTER_DATABASE__MIGRATE_ON_START", "false")
    code, out, _ = run(capsys, "check")
    assert code == 1 and "run `callcenter db upgrade`" in out


def test_check_warns_about_twilio_without_a_public_base_url(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "0123456789abcdef")
    code, out, _ = run(capsys, "check")
    assert code == 0
    assert "warning: Twilio is configured" in out and "server.public_base_url" in out
    assert "0123456789abcdef" not in out
    monkeypatch.setenv("CALLCENTER_SERVER__PUBLIC_BASE_URL", "https://hotline.example.com")
    assert "warning: Twilio" not in run(capsys, "check")[1]  # (calendar warnings may show)


def test_check_fails_when_prompts_are_missing_and_cannot_be_rendered(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CALLCENTER_ASTERISK__FASTAGI_LISTEN", "127.0.0.1:4573")
    without_espeak(monkeypatch, tmp_path)
    code, out, _ = run(capsys, "check")
    assert code == 1
    assert f"asterisk prompts {tmp_path / 'data' / 'prompts'}: FAILED: " in out
    assert "espeak-ng is not installed" in out


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="needs espeak-ng")
def test_check_reports_prompts_that_the_start_will_render(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLCENTER_ASTERISK__FASTAGI_LISTEN", "127.0.0.1:4573")
    code, out, _ = run(capsys, "check")
    assert code == 0 and "fixed prompts not rendered yet" in out
    assert run(capsys, "prompts", "render")[0] == 0
    code, out, _ = run(capsys, "check")
    assert code == 0 and "fixed prompts rendered" in out


def test_serve_warns_then_refuses_a_fastagi_server_without_its_prompts(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CALLCENTER_ASTERISK__FASTAGI_LISTEN", "127.0.0.1:0")
    monkeypatch.setenv("CALLCENTER_DEMO__LOAD_ON_FIRST_START", "false")
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "0123456789abcdef")
    without_espeak(monkeypatch, tmp_path)
    code, _, err = run(capsys, "serve", "--port", str(free_port()))
    assert code == 2
    assert "callcenter: warning: Twilio is configured" in err
    assert "callcenter: asterisk.prompts_dir: " in err
    assert f"prompts are missing in {tmp_path / 'data' / 'prompts'} and" in err
    assert "espeak-ng is not installed" in err and "Traceback" not in err
