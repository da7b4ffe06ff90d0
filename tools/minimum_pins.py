"""Print ``name==minimum`` for every runtime dependency declared in setup.cfg.

`make minimums` installs these as constraints and runs the fast suite, so the
lower bounds we declare are versions that work, not guesses:

    python tools/minimum_pins.py > minimums.txt
    pip install -e '.[test]' -c minimums.txt

A requirement without a ``>=`` bound is an error: every runtime dependency
must say which version it needs at least.
"""

from __future__ import annotations

import configparser
import re
import sys
from pathlib import Path

SETUP_CFG = Path(__file__).resolve().parents[1] / "setup.cfg"
#: ``Flask>=3.1`` or ``psycopg[binary]>=3.1,<4``: the name (extras dropped) and the lower bound.
_REQUIREMENT = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(?P<spec>[^;#]*)")


def minimum_pins(setup_cfg: Path = SETUP_CFG) -> list[str]:
    """``name==version`` for each ``install_requires`` line, from its ``>=`` bound."""
    config = configparser.ConfigParser()
    config.read(setup_cfg, encoding="utf-8")
    pins = []
    for line in config["options"]["install_requires"].splitlines():
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = _REQUIREMENT.match(line)
        lower = re.search(r">=\s*([0-9][^,\s]*)", match.group("spec")) if match else None
        if match is None or lower is None:
            raise SystemExit(f"setup.cfg: {line!r} declares no lower bound (name>=version)")
        pins.append(f"{match.group('name')}=={lower.group(1)}")
    return pins


if __name__ == "__main__":
    sys.stdout.write("".join(f"{pin}\n" for pin in minimum_pins()))
