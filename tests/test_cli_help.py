"""Every command has help text that ends with a worked example (sqlite-utils style)."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from pipeline.cli import main

COMMANDS = sorted(main.commands)


def test_main_help_lists_commands():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in ("taxonomy", "train", "evaluate", "tag"):
        assert name in result.output


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_example(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert f"capmap {command}" in result.output.split("Example:")[1]


def test_taxonomy_command_prints_areas_in_order():
    result = CliRunner().invoke(main, ["taxonomy"])
    assert result.exit_code == 0
    positions = [result.output.index(f"\n{c}  ") for c in "ABCDEFGHI"]
    assert positions == sorted(positions)
