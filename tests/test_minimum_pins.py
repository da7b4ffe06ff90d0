"""tools/minimum_pins.py: `make minimums` installs exactly the lower bounds setup.cfg declares."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest

from tools.minimum_pins import SETUP_CFG, minimum_pins


def test_every_runtime_dependency_is_pinned_to_its_declared_minimum() -> None:
    pins = dict(pin.split("==") for pin in minimum_pins())
    assert pins["Flask"] == "3.1" and pins["SQLAlchemy"] == "2.0.33" and pins["defusedxml"] == "0.7.1"
    config = configparser.ConfigParser()
    config.read(SETUP_CFG, encoding="utf-8")
    lines = [line.strip() for line in config["options"]["install_requires"].splitlines()]
    declared = [line for line in lines if line and not line.startswith("#")]
    assert len(pins) == len(declared), (pins, declared)


def test_a_requirement_without_a_lower_bound_is_refused(tmp_path: Path) -> None:
    cfg = tmp_path / "setup.cfg"
    cfg.write_text(
        "[options]\ninstall_requires =\n    # a comment\n    psycopg[binary]>=3.1,<4\n    Flask\n", encoding="utf-8"
    )
    with pytest.raises(SystemExit, match="'Flask' declares no lower bound"):
        minimum_pins(cfg)
    cfg.write_text("[options]\ninstall_requires =\n    psycopg[binary]>=3.1,<4\n", encoding="utf-8")
    assert minimum_pins(cfg) == ["psycopg==3.1"]
