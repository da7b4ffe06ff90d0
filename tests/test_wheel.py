"""A built wheel carries its license, and, installed in a clean virtual environment, its
templates and migrations: it migrates a database, loads the demo data and serves the demo shop."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

SMOKE = """
from shop_reco.demo import create_app
import shop_reco, sys
assert "site-packages" in shop_reco.__file__, shop_reco.__file__
app = create_app({"TESTING": True})
client = app.test_client()
assert client.get("/").status_code == 200
reply = client.post("/reco/api/v1/recommendations", json={"description": "my lower back aches after sitting"})
assert reply.status_code == 200, reply.get_data(as_text=True)
assert reply.get_json()["exercises"], reply.get_json()
print("wheel smoke ok")
"""


def run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{cmd} failed:\n{result.stdout}\n{result.stderr}"
    return result  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from this checkout, once for the module."""
    dist = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)])
    return next(dist.glob("shop_reco-*.whl"))


def test_wheel_carries_the_mit_license(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        licenses = [n for n in archive.namelist() if n.endswith(".dist-info/licenses/LICENSE")]
        assert licenses, archive.namelist()
        text = archive.read(licenses[0]).decode("utf-8")
        metadata = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA")))
    assert text.startswith("MIT License")
    assert "Copyright (c) 2026 the shop_reco authors" in text
    assert text == (REPO / "LICENSE").read_text(encoding="utf-8")
    assert b"License-File: LICENSE" in metadata


@pytest.mark.slow
def test_wheel_installs_migrates_and_loads_demo_data(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    # A clean environment without pip of its own: this pip installs into it (``--python``),
    # which skips ensurepip; no byte-compiling of every dependency at install (imports compile what they use).
    venv.create(env_dir, with_pip=False, clear=True)
    py = str(env_dir / "bin" / "python")
    run([sys.executable, "-m", "pip", "--python", py, "install", "-q", "--no-compile", str(wheel)])
    work = tmp_path / "work"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV", "SHOP_RECO"))}
    env["SHOP_RECO_DATABASE_URL"] = f"sqlite:///{work / 'wheel.db'}"
    env["SHOP_RECO_DEMO_INSTANCE"] = str(work / "instance")
    flask = str(env_dir / "bin" / "flask")
    upgraded = run([flask, "--app", "shop_reco.demo", "shop-reco", "db", "upgrade"], cwd=work, env=env)
    assert "schema at" in upgraded.stdout
    loaded = run([flask, "--app", "shop_reco.demo", "shop-reco", "demo-data"], cwd=work, env=env)
    assert "demo data loaded" in loaded.stdout
    smoke = run([py, "-c", SMOKE], cwd=work, env=env)
    assert "wheel smoke ok" in smoke.stdout
