"""The layers hold in the import graph: no cycle between packages, and a core that runs alone."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[1]
CHECKER = REPO / "tools" / "check_imports.py"


def _checker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_imports", CHECKER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_imports"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source), encoding="utf-8")
    return root / "pkg"


def test_shop_reco_has_no_import_cycle_between_packages() -> None:
    result = subprocess.run([sys.executable, str(CHECKER)], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no import cycle between packages" in result.stdout


def test_a_loop_closed_inside_a_function_is_a_cycle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pkg = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/web/__init__.py": "",
            "pkg/web/views.py": "from pkg.core.model import Thing\n",
            "pkg/core/__init__.py": "",
            "pkg/core/model.py": """
                class Thing:
                    def url(self):
                        from pkg.web.views import route
                        return route
            """,
        },
    )
    assert _checker().main([str(pkg)]) == 1
    out = capsys.readouterr().out
    assert "pkg.core, pkg.web" in out
    assert "pkg/core/model.py:4  pkg.core.model -> pkg.web.views" in out


def test_importing_a_module_runs_its_parent_packages(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # pkg.web's __init__ imports pkg.core.model, so importing pkg.web.views from the core is a loop.
    pkg = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/web/__init__.py": "import pkg.core.model\n",
            "pkg/web/views.py": "",
            "pkg/core/__init__.py": "",
            "pkg/core/model.py": "import pkg.web.views\n",
        },
    )
    assert _checker().main([str(pkg)]) == 1
    assert "pkg.core.model -> pkg.web" in capsys.readouterr().out


def test_type_checking_imports_and_loops_inside_one_package_are_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/web/__init__.py": "from pkg.web.views import bp\n",
            "pkg/web/views.py": "from pkg.web import helpers\nbp = None\n",
            "pkg/web/helpers.py": "def f():\n    from pkg.web.views import bp\n",
            "pkg/core/__init__.py": "",
            "pkg/core/model.py": """
                from typing import TYPE_CHECKING
                if TYPE_CHECKING:
                    from pkg.web.views import bp
            """,
        },
    )
    assert _checker().main([str(pkg)]) == 0
    assert "no import cycle between packages" in capsys.readouterr().out


def test_the_lazy_package_face_counts_only_for_what_it_serves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    face = """
        def __getattr__(name):
            if name == "Extension":
                from pkg.wiring import Extension
                return Extension
            raise AttributeError(name)
    """
    files = {
        "pkg/__init__.py": face,
        "pkg/wiring.py": "from pkg.web import views\nclass Extension: ...\n",
        "pkg/web/__init__.py": "",
        "pkg/web/views.py": "from pkg.core import model\n",
        "pkg/core/__init__.py": "",
        "pkg/core/model.py": "import pkg\n",
    }
    checker = _checker()
    assert checker.main([str(_package(tmp_path / "ok", files))]) == 0
    files["pkg/core/model.py"] = "from pkg import Extension\n"
    assert checker.main([str(_package(tmp_path / "loop", files))]) == 1
    assert "pkg.core.model -> pkg.wiring" in capsys.readouterr().out


BLOCK_WEB_STACK = """
import importlib.abc, runpy, sys
class Blocked(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {"flask", "sqlalchemy", "werkzeug", "alembic"}:
            raise ImportError(f"{name} is not installed here")
sys.meta_path.insert(0, Blocked())
runpy.run_path(sys.argv[1], run_name="__main__")
"""


def test_understanding_and_recommending_run_without_flask_or_sqlalchemy() -> None:
    result = subprocess.run(
        [sys.executable, "-c", BLOCK_WEB_STACK, str(REPO / "tools" / "check_core_alone.py")],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "a red flag answers 'urgent' with nothing to buy" in result.stdout


def test_shop_reco_extension_is_still_importable_from_the_package_face() -> None:
    from shop_reco import ShopReco
    from shop_reco.extension import ShopReco as FromExtension

    assert ShopReco is FromExtension
    with pytest.raises(AttributeError, match="no attribute 'Nothing'"):
        import shop_reco

        _ = shop_reco.Nothing  # type: ignore[attr-defined]
