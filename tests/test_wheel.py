"""A built wheel, installed in a clean virtual environment, carries its templates and
migrations: it migrates a database, loads the demo data and serves the demo shop."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
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


@pytest.mark.slow
def test_wheel_installs_migrates_and_loads_demo_data(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)])
    wheel = next(dist.glob("shop_reco-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True, clear=True)
    py = str(env_dir / "bin" / "python")
    run([py, "-m", "pip", "install", "-q", str(wheel)])
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
