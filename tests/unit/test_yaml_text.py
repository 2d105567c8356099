"""`callcenter.core.yaml_text`: the C parser reads every shipped YAML file as the pure-Python
safe loader does, and refuses what it refuses, with the line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from callcenter.core.yaml_text import safe_load

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted([*ROOT.glob("ivr_flows/flows/**/*.yaml"), *ROOT.glob("outbound/texts/*.yaml")])


def test_the_shipped_files_are_all_found() -> None:
    assert len(SHIPPED) >= 18


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_a_shipped_file_reads_as_with_the_safe_loader(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert safe_load(text) == yaml.safe_load(text)


@pytest.mark.parametrize("text", ["a: [1, 2\nb: 3\n", "!!python/object:os.system {}\n"])
def test_what_the_safe_loader_refuses_is_refused(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as found:
        safe_load(text)
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    assert "line" in str(found.value)
