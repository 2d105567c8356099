"""The pacing bench's simulation runs on a few agents for a few minutes and its figures add up
(a smoke test: nothing here is timed)."""

from __future__ import annotations

import json

import pytest

from bench import pacing
from bench.pacing_sim import Figures, simulate
from outbound.predictive import PacingMode

MODES: list[PacingMode] = ["progressive", "predictive"]


@pytest.mark.parametrize("mode", MODES)
def test_figures_are_consistent(mode: PacingMode) -> None:
    figures = simulate(mode, seed=3, agents=5, minutes=5)
    assert figures.mode == mode
    assert figures.placed > 0
    assert figures.live_answered + figures.machines + figures.no_answer <= figures.placed
    assert 0 <= figures.abandoned <= figures.live_answered
    assert 0 < figures.talk_seconds <= figures.busy_seconds <= 5 * 5 * 60
    assert 0 < figures.occupancy <= 1
    assert figures.talk_minutes_per_agent_hour == pytest.approx(figures.talk_seconds / 60 / 5 * 12)


def test_progressive_never_abandons() -> None:
    assert simulate("progressive", seed=5, agents=4, minutes=6).abandoned == 0


def test_same_seed_same_figures() -> None:
    runs: list[Figures] = [simulate("predictive", seed=9, agents=4, minutes=4) for _ in "ab"]
    assert runs[0] == runs[1]


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert pacing.main(["--agents", "4", "--minutes", "3", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [run["mode"] for run in out["runs"]] == MODES
    assert out["ratio"] > 0


def test_bad_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        pacing.main(["--agents", "0"])
    assert stop.value.code == 2
    assert "--agents" in capsys.readouterr().err
