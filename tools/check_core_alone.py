"""Run the core (understanding and recommending) with no web or database stack loaded.

    python tools/check_core_alone.py

Imports ``shop_reco.understanding`` and ``shop_reco.recommending``, analyzes two
descriptions, compiles the demo rules and runs the safety gate, then checks
that neither Flask nor SQLAlchemy (nor Werkzeug, Alembic) was loaded on the
way. In CI it runs in a virtualenv where they are not installed at all
(``.ci/core-alone``); the test suite runs it with them blocked.
Exits non-zero, saying what went wrong, when the core reaches for them.
"""

from __future__ import annotations

import json
import sys
from importlib import resources

WEB_STACK = ("flask", "sqlalchemy", "werkzeug", "alembic", "flask_limiter", "flask_wtf")


def main() -> int:
    from shop_reco.recommending import Catalog, compile_rules, load_rules, recommend
    from shop_reco.understanding import analyze

    profile = analyze("Sharp pain in my right buttock that shoots down my leg after long sitting, 7/10", "en")
    assert "buttock" in profile.areas and profile.side == "right", profile
    print(f"analyzed: areas={profile.areas} side={profile.side} severity={profile.severity}")

    rules = load_rules(json.loads(resources.files("shop_reco").joinpath("demo/data/rules.json").read_text("utf-8")))
    compiled = compile_rules(rules, Catalog())
    urgent = recommend(analyze("Back pain and I suddenly can't control my bladder", "en"), compiled, locale="en")
    assert urgent.safety.level == "urgent" and not urgent.exercises and not urgent.products, urgent.safety
    print(f"{len(rules)} demo rules compiled; a red flag answers {urgent.safety.level!r} with nothing to buy")

    loaded = sorted(name for name in sys.modules if name in WEB_STACK)
    if loaded:
        print(f"the core loaded the web/database stack: {', '.join(loaded)}", file=sys.stderr)
        return 1
    print("shop_reco.understanding and shop_reco.recommending ran without Flask or SQLAlchemy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
