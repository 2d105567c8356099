"""Flow validation: every problem reported as `file:node: message`."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr_flows.loader import FlowError, load_flow, load_flows

HEAD = """
name: t
entry: start
languages: [zh-CN, en-US]
prompts:
  hello: {zh-CN: 你好, en-US: Hello}
  menu: {zh-CN: 请按1, en-US: Press 1}
nodes:
"""
GOOD = """
  start: {type: say, prompt: hello, next: menu}
  menu: {type: menu, prompt: menu, options: {"1": bye, "0": agent}, on_exhausted: agent}
  agent: {type: enqueue, queue: general}
  bye: {type: hangup, prompt: hello}
"""


def write(tmp_path: Path, nodes: str, head: str = HEAD) -> Path:
    path = tmp_path / "t.yaml"
    path.write_text(head + nodes, encoding="utf-8")
    return path


def test_a_good_flow_loads(tmp_path: Path) -> None:
    flow = load_flow(write(tmp_path, GOOD))
    assert (flow.name, flow.entry, len(flow.nodes)) == ("t", "start", 4)


@pytest.mark.parametrize(
    ("nodes", "expected"),
    [
        (GOOD + "  odd: {type: dance}\n", "odd: unknown node type 'dance'"),
        (
            GOOD.replace("next: menu", "next: nowhere"),
            "start: goes to 'nowhere', which is not a node",
        ),
        (GOOD + "  lonely: {type: hangup}\n", "lonely: unreachable from the entry"),
        (GOOD.replace("prompt: menu,", "prompt: nope,"), "menu: prompt 'nope' is not defined"),
        (GOOD.replace(", on_exhausted: agent", ""), "menu: a menu node needs 'on_exhausted'"),
        (
            GOOD.replace("type: say, prompt: hello", "type: say, prompt: hello, colour: red"),
            "start: unknown field 'colour' for a say node",
        ),
        (
            GOOD + "  x: {type: branch, if: [{if: 'a ==', next: bye}], next: bye}\n"
            "  y: {type: say, prompt: hello, next: x}\n",
            "x: expression 'a =='",
        ),
        (
            GOOD.replace('"1": bye', '"1": loop1')
            + "  loop1: {type: set, assign: {a: '1'}, next: loop2}\n"
            "  loop2: {type: say, prompt: hello, next: loop1}\n",
            "loop1: loop without input",
        ),
        (
            GOOD.replace('"1": bye', '"1": ask')
            + "  ask: {type: menu, prompt: menu, options: {'1': ask},"
            " on_exhausted: ask}\n",
            "ask: loop without an exit",
        ),
        (
            GOOD.replace("retries", "r").replace(
                "on_exhausted: agent}", "on_exhausted: agent, retries: 0}"
            ),
            "menu: retries must be at least 1",
        ),
    ],
)
def test_problems_name_file_and_node(tmp_path: Path, nodes: str, expected: str) -> None:
    path = write(tmp_path, nodes)
    with pytest.raises(FlowError) as caught:
        load_flow(path)
    assert any(
        p == f"{path}:{expected}" or p.startswith(f"{path}:{expected}")
        for p in caught.value.problems
    ), caught.value.problems


def test_missing_language_text(tmp_path: Path) -> None:
    head = HEAD.replace("menu: {zh-CN: 请按1, en-US: Press 1}", "menu: {zh-CN: 请按1}")
    with pytest.raises(FlowError) as caught:
        load_flow(write(tmp_path, GOOD, head))
    assert f"{tmp_path / 't.yaml'}:menu: prompt 'menu' has no en-US text" in caught.value.problems


def test_bad_template_names_the_prompt(tmp_path: Path) -> None:
    head = HEAD.replace("Hello}", '"Hello {{ name }"}')
    with pytest.raises(FlowError) as caught:
        load_flow(write(tmp_path, GOOD, head))
    assert any(":prompts.hello.en-US: template" in p for p in caught.value.problems)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("nodes: [", "cannot read flow"),
        ("- a\n- b\n", "a flow file is a mapping"),
        ("name: t\n", "missing entry, languages, nodes"),
        ("name: t\nentry: a\nlanguages: [zh-CN]\nnodes: {}\nextra: 1\n", "unknown top-level key"),
    ],
)
def test_malformed_files(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FlowError) as caught:
        load_flow(path)
    assert expected in caught.value.problems[0] and caught.value.problems[0].startswith(str(path))


def test_subflow_must_be_loaded(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD.replace('"1": bye', '"1": sub') + "  sub: {type: subflow, flow: survey, next: bye}\n",
    )
    with pytest.raises(FlowError, match="subflow 'survey' is not loaded"):
        load_flows([path])
