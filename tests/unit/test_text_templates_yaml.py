"""`outbound.texts.templates.load_yaml`: the C parser reads the YAML files as the pure-Python
safe loader does, and refuses what it refuses, with the line."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from outbound.texts.templates import SHIPPED, load_yaml

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted([SHIPPED, *ROOT.glob("ivr_flows/flows/**/*.yaml")])


def test_the_shipped_files_are_all_found() -> None:
    assert len(FILES) >= 18


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_a_shipped_file_reads_as_with_the_safe_loader(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.safe_load(text)


@pytest.mark.parametrize("text", ["a: [1, 2\nb: 3\n", "!!python/object:os.system {}\n"])
def test_what_the_safe_loader_refuses_is_refused(text: str) -> None:
    with pytest.raises(yaml.YAMLError) as found:
        load_yaml(text)
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    assert "line" in str(found.value)
