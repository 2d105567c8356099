"""Load flow files (YAML) and validate them; every problem is reported as `file:node: message`.

Checks: YAML shape, unknown node types and fields, required fields per kind, dangling exits,
unreachable nodes, prompts missing in a configured language, template and expression syntax,
input nodes without a fallback after invalid or no input, and loops that can never end
(a cycle with no input node in it, or nodes from which no end can be reached).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

import yaml

from ivr_flows.expressions import (
    ExpressionError,
    check_template,
    compile_expression,
    compile_template,
    environment,
)
from ivr_flows.models import (
    FINAL_KINDS,
    WAITING_KINDS,
    Condition,
    Flow,
    LookupKind,
    Node,
    NodeKind,
)

FLOWS_DIR = Path(__file__).parent / "flows"
TOP_KEYS = {"name", "entry", "languages", "prompts", "nodes", "description"}
K = NodeKind
REQUIRED: dict[NodeKind, tuple[str, ...]] = {
    K.SAY: ("prompt",),
    K.PLAY: ("url",),
    K.MENU: ("prompt", "options", "on_exhausted"),
    K.COLLECT: ("prompt", "var", "next", "on_exhausted"),
    K.SPEECH: ("prompt", "var", "next", "on_exhausted"),
    K.LOOKUP: ("lookup", "found", "not_found"),
    K.BRANCH: ("conditions", "next"),
    K.SET: ("assign", "next"),
    K.TICKET: ("ticket_type", "summary", "next"),
    K.ENQUEUE: ("queue",),
    K.TRANSFER: ("target",),
    K.SUBFLOW: ("flow", "next"),
    K.SURVEY: ("prompt", "var", "next", "on_exhausted"),
    K.HANGUP: (),
}
NODE_FIELDS = {f.name for f in fields(Node)} - {"id", "kind"}
YAML_ALIASES = {"type": "kind", "if": "conditions"}


class FlowError(Exception):
    """A flow file with problems; `problems` lists them as `file:node: message`."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class _Report:
    source: str
    problems: list[str]

    def add(self, node: str, message: str) -> None:
        self.problems.append(f"{self.source}:{node}: {message}")


def load_flow(path: Path) -> Flow:
    """Read and validate one flow file; `FlowError` lists every problem found. A file read
    before with the same text gives the flow compiled then (compiling a flow's templates
    takes most of a second; every app and test app loads the flows)."""
    report = _Report(str(path), [])
    try:
        text = path.read_text(encoding="utf-8")
        known = _LOADED.get((str(path), text))
        if known is not None:
            return known
        raw = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as err:
        raise FlowError([f"{path}:-: cannot read flow: {err}"]) from err
    flow = _build(raw, report)
    if flow is not None:
        _validate(flow, report)
    if report.problems or flow is None:
        raise FlowError(report.problems)
    compiled = _LOADED[str(path), text] = _compiled(flow)
    if len(_LOADED) > LOADED_KEPT:
        del _LOADED[next(iter(_LOADED))]
    return compiled


def _compiled(flow: Flow) -> Flow:
    env = environment()
    compiled: dict[str, Any] = {}
    for node in flow.nodes.values():
        for source in _expressions(node):
            compiled[source] = compile_expression(env, source)
        if node.summary:
            compiled[node.summary] = compile_template(env, node.summary)
    for key, texts in flow.prompts.items():
        for lang, text in texts.items():
            compiled[prompt_key(key, lang)] = compile_template(env, text)
    return replace(flow, compiled=compiled)


def prompt_key(key: str, language: str) -> str:
    """Where a compiled prompt template is kept in `Flow.compiled`."""
    return f"prompt:{key}:{language}"


LOADED_KEPT = 256  # flow files kept compiled, by path and text (a flow is never changed)
_LOADED: dict[tuple[str, str], Flow] = {}


def load_flows(paths: Iterable[Path]) -> dict[str, Flow]:
    """Load several flows; subflow references must name one of them."""
    flows: dict[str, Flow] = {}
    problems: list[str] = []
    for path in paths:
        try:
            flow = load_flow(path)
        except FlowError as err:
            problems += err.problems
            continue
        if flow.name in flows:
            problems.append(
                f"{path}:-: flow name {flow.name!r} is also the name of {flows[flow.name].source}"
            )
        flows[flow.name] = flow
    for flow in flows.values():
        for node in flow.nodes.values():
            if node.kind is K.SUBFLOW and node.flow not in flows:
                problems.append(f"{flow.source}:{node.id}: subflow {node.flow!r} is not loaded")
    if problems:
        raise FlowError(problems)
    return flows


def default_flow_files(directory: str | Path = "") -> list[Path]:
    """The flow files in `directory` and its subdirectories (the outbound flows are in
    `outbound/`), or those shipped with the package."""
    return sorted(Path(directory or FLOWS_DIR).rglob("*.yaml"))


def _build(raw: Any, report: _Report) -> Flow | None:
    if not isinstance(raw, dict):
        report.add("-", "a flow file is a mapping with name, entry, languages, prompts, nodes")
        return None
    for key in sorted(set(raw) - TOP_KEYS):
        report.add("-", f"unknown top-level key {key!r}")
    missing = [k for k in ("name", "entry", "languages", "nodes") if k not in raw]
    if missing:
        report.add("-", "missing " + ", ".join(missing))
        return None
    prompts = raw.get("prompts") or {}
    if not isinstance(prompts, dict) or not isinstance(raw["nodes"], dict):
        report.add("-", "prompts and nodes must be mappings")
        return None
    nodes = {}
    for node_id, spec in raw["nodes"].items():
        node = _node(str(node_id), spec, report)
        if node is not None:
            nodes[node.id] = node
    return Flow(
        name=str(raw["name"]),
        entry=str(raw["entry"]),
        languages=tuple(str(lang) for lang in raw["languages"]),
        prompts={
            str(k): {str(lang): str(t) for lang, t in (v or {}).items()} for k, v in prompts.items()
        },
        nodes=nodes,
        source=report.source,
    )


def _node(node_id: str, spec: Any, report: _Report) -> Node | None:
    if not isinstance(spec, dict):
        report.add(node_id, "a node is a mapping with a type")
        return None
    values = {YAML_ALIASES.get(str(k), str(k)): v for k, v in spec.items()}
    try:
        kind = NodeKind(values.pop("kind", None))
    except ValueError:
        report.add(node_id, f"unknown node type {spec.get('type')!r}")
        return None
    for name in sorted(set(values) - NODE_FIELDS):
        report.add(node_id, f"unknown field {name!r} for a {kind} node")
        values.pop(name)
    for name in REQUIRED[kind]:
        if not values.get(name):
            report.add(node_id, f"a {kind} node needs {name!r}")
    try:
        return _typed_node(node_id, kind, values)
    except (TypeError, ValueError) as err:
        report.add(node_id, f"bad field value: {err}")
        return None


def _typed_node(node_id: str, kind: NodeKind, values: dict[str, Any]) -> Node:
    if "options" in values:
        values["options"] = {str(k): str(v) for k, v in (values["options"] or {}).items()}
    if "conditions" in values:
        values["conditions"] = tuple(
            Condition(str(c["if"]), str(c["next"])) for c in values["conditions"] or []
        )
    if "assign" in values:
        values["assign"] = {str(k): str(v) for k, v in (values["assign"] or {}).items()}
    for name in ("skills", "hints"):
        if name in values:
            values[name] = tuple(str(s) for s in values[name] or [])
    if "lookup" in values:
        values["lookup"] = LookupKind(values["lookup"])
    for name in ("timeout", "retries", "min_digits", "max_digits"):
        if name in values:
            values[name] = int(values[name])
    return Node(id=node_id, kind=kind, **values)


def _validate(flow: Flow, report: _Report) -> None:
    if flow.entry not in flow.nodes:
        report.add("-", f"entry {flow.entry!r} is not a node")
    env = environment()
    for node in flow.nodes.values():
        for target in node.exits():
            if target not in flow.nodes:
                report.add(node.id, f"goes to {target!r}, which is not a node")
        _check_prompts(flow, node, report)
        _check_expressions(env, node, report)
        if node.kind in (K.MENU, K.COLLECT, K.SURVEY) and node.retries < 1:
            report.add(node.id, "retries must be at least 1")
    for key, texts in flow.prompts.items():
        for lang, text in texts.items():
            try:
                check_template(env, text)
            except ExpressionError as err:
                report.add(f"prompts.{key}.{lang}", str(err))
    _check_graph(flow, report)


def _check_prompts(flow: Flow, node: Node, report: _Report) -> None:
    for key in (node.prompt, node.invalid_prompt, node.no_input_prompt):
        if key is None:
            continue
        texts = flow.prompts.get(key)
        if texts is None:
            report.add(node.id, f"prompt {key!r} is not defined")
            continue
        for lang in flow.languages:
            if not texts.get(lang, "").strip():
                report.add(node.id, f"prompt {key!r} has no {lang} text")


def _expressions(node: Node) -> list[str]:
    """Every expression a node evaluates (branches, assignments, routing, validation)."""
    sources = [c.expression for c in node.conditions] + list(node.assign.values())
    return sources + [s for s in (node.priority, node.preferred_agent, node.valid) if s]


def _check_expressions(env: Any, node: Node, report: _Report) -> None:
    for source in _expressions(node):
        try:
            compile_expression(env, source)
        except ExpressionError as err:
            report.add(node.id, str(err))
    if node.summary:
        try:
            check_template(env, node.summary)
        except ExpressionError as err:
            report.add(node.id, str(err))


def _check_graph(flow: Flow, report: _Report) -> None:
    graph = {n.id: [t for t in n.exits() if t in flow.nodes] for n in flow.nodes.values()}
    reachable = _reach(graph, [flow.entry]) if flow.entry in graph else set()
    for node_id in graph:
        if node_id not in reachable:
            report.add(node_id, "unreachable from the entry")
    ends = {n.id for n in flow.nodes.values() if n.kind in FINAL_KINDS or not n.exits()}
    reverse: dict[str, list[str]] = {n: [] for n in graph}
    for source, targets in graph.items():
        for target in targets:
            reverse[target].append(source)
    can_end = _reach(reverse, ends)
    for node_id in reachable - can_end:
        report.add(node_id, "loop without an exit: no end (hang-up, queue, transfer) is reachable")
    silent = {n.id for n in flow.nodes.values() if n.kind not in WAITING_KINDS}
    for cycle_node in _silent_cycles(graph, silent):
        report.add(cycle_node, "loop without input: the caller would be stuck in it forever")


def _reach(graph: Mapping[str, list[str]], start: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(start)
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo += graph.get(node, [])
    return seen


def _silent_cycles(graph: Mapping[str, list[str]], silent: set[str]) -> list[str]:
    """Nodes on a cycle made only of nodes that wait for nothing."""
    sub = {n: [t for t in graph[n] if t in silent] for n in silent}
    on_cycle = []
    for node in sorted(sub):
        if node in _reach(sub, sub[node]):
            on_cycle.append(node)
    return on_cycle
