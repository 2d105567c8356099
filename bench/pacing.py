"""Benchmark: agent-assisted pacing, progressive against predictive, on a simulated population.

    python bench/pacing.py [--seed 14] [--agents 50] [--minutes 60] [--json]

One simulated hour (fixed seed) of a campaign with 50 agents: 30 % of the calls are answered
by a person after 4-20 s of ringing, 15 % by an answering machine (the line is held for the
ring and the detection, never an agent), the rest ring out at 30 s (the minimum ring is 15 s);
a conversation lasts 180 s +- 60 (uniform) and a 10 s wrap-up follows. Each simulated second
the real `outbound.predictive` decides how many calls to place (progressive: one per free
agent, the agent reserved before the dial; predictive: `calls_to_place` with the cn pack), and
an answered call goes to the agent the real `agents.routing.choose_agent` picks (longest
idle); a person with no agent within 2 s of the answer is an abandon. Prints, per mode, talk
minutes per agent-hour, abandon rate (abandoned / live answered), calls placed and agent
occupancy, then the ratio predictive / progressive.
Goal (issue 14): predictive >= 1.3x the talk time of progressive with abandon <= 3 %.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pacing_sim import Figures, simulate  # noqa: E402

GOAL_RATIO = 1.3
ABANDON_CAP = 0.03


def as_dict(figures: Figures) -> dict[str, object]:
    """The printed figures of one mode, for `--json`."""
    return {
        "mode": figures.mode,
        "talk_minutes_per_agent_hour": round(figures.talk_minutes_per_agent_hour, 2),
        "abandon_rate": round(figures.abandon_rate, 4),
        "calls_placed": figures.placed,
        "live_answered": figures.live_answered,
        "abandoned": figures.abandoned,
        "machines": figures.machines,
        "no_answer": figures.no_answer,
        "occupancy": round(figures.occupancy, 4),
        "seconds_paced_progressive": figures.progressive_seconds,
    }


def line(figures: Figures) -> str:
    """One mode's figures as a printed line."""
    return (
        f"{figures.mode:<11}  talk {figures.talk_minutes_per_agent_hour:5.1f} min/agent-hour  "
        f"abandon {figures.abandon_rate * 100:4.2f} % ({figures.abandoned}/"
        f"{figures.live_answered} live answered)  placed {figures.placed:,}  "
        f"occupancy {figures.occupancy * 100:4.1f} %"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--minutes", type=int, default=60)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    if args.agents < 1 or args.minutes < 1:
        parser.error("--agents and --minutes must be at least 1")
    started = time.perf_counter()
    runs = [
        simulate(mode, seed=args.seed, agents=args.agents, minutes=args.minutes)
        for mode in ("progressive", "predictive")
    ]
    progressive, predictive = runs
    base = progressive.talk_minutes_per_agent_hour
    ratio = predictive.talk_minutes_per_agent_hour / base if base else 0.0
    met = ratio >= GOAL_RATIO and predictive.abandon_rate <= ABANDON_CAP
    if args.json:
        print(
            json.dumps(
                {"runs": [as_dict(r) for r in runs], "ratio": round(ratio, 3), "goal_met": met}
            )
        )
        return 0
    for figures in runs:
        print(line(figures))
    print(
        f"ratio predictive / progressive talk time: {ratio:.2f} (goal >= {GOAL_RATIO}, "
        f"abandon <= {ABANDON_CAP:.0%}): {'met' if met else 'NOT met'}  "
        f"[{predictive.progressive_seconds} s paced progressive near the cap; "
        f"{time.perf_counter() - started:.1f} s wall]"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
