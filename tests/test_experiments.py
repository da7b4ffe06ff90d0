"""Experiments between rule sets: assignment, counting, stopping and safety held constant."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from shop_reco.answering.answers import answer_description
from shop_reco.answering.snapshot import invalidate_snapshot
from shop_reco.extension import get_session
from shop_reco.recommending.experiments import assign_variant
from shop_reco.storage.models import Recommendation, Revision
from tests.conftest import eval_descriptions, make_app

API = "/reco/api/v1"
SITTING = "My lower back aches after sitting at my desk all day."
URGENT = "My back hurts and I suddenly cannot control my bladder."
#: A variant that shows the plank to everyone who sits (besides whatever the fallback routine shows).
PLANK_RULES = [
    {
        "key": "sitting-plank",
        "name": "Sitting: plank first",
        "conditions": {"any": ["trigger:sitting"]},
        "actions": {
            "exercises": [{"slug": "plank", "weight": 5}],
            "pin": [{"type": "exercise", "id": "plank", "position": 1}],
        },
    }
]


def plan(key: str = "sitting-plank", rules: Any = None, weights: tuple[int, int] = (50, 50)) -> dict[str, Any]:
    return {
        "key": key,
        "variants": [
            {"key": "control", "weight": weights[0], "rules": "live"},
            {"key": "b", "weight": weights[1], "rules": PLANK_RULES if rules is None else rules},
        ],
    }


def start(runner: Any, tmp_path: Path, data: dict[str, Any]) -> Any:
    path = tmp_path / f"{data['key']}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return runner.invoke(args=["shop-reco", "experiments", "start", str(path)])


def ask(client: FlaskClient, visitor: str | None, description: str = SITTING) -> dict[str, Any]:
    body: dict[str, Any] = {"description": description, "locale": "en"}
    if visitor is not None:
        body["visitor"] = visitor
    response = client.post(f"{API}/recommendations", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def report(runner: Any, key: str) -> dict[str, Any]:
    result = runner.invoke(args=["shop-reco", "experiments", "report", key, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def visitor_in(variant: str, key: str = "sitting-plank", start_at: int = 0) -> str:
    """A visitor id that the 50/50 experiment ``key`` puts in ``variant``."""
    n = start_at
    while assign_variant(key, f"visitor-{n:05d}", [("control", 50), ("b", 50)]) != variant:
        n += 1
    return f"visitor-{n:05d}"


def test_report_counts_what_was_posted(app: Flask, client: FlaskClient, runner: Any, tmp_path: Path) -> None:
    started = start(runner, tmp_path, plan())
    assert started.exit_code == 0, started.output
    expected: dict[str, Counter[str]] = {"control": Counter(), "b": Counter()}
    for n in range(80):
        visitor = f"shopper-{n:04d}-x"
        body = ask(client, visitor)
        variant = body["experiment"]["variant"]
        assert body["experiment"]["key"] == "sitting-plank"
        expected[variant]["answers"] += 1
        shown = [("exercise", e["slug"]) for e in body["exercises"]] + [("product", p["sku"]) for p in body["products"]]
        events = [
            {"kind": "impression", "item_type": t, "item_id": i, "recommendation_id": body["id"]} for t, i in shown
        ]
        if n % 3 == 0:
            events.append(
                {"kind": "click", "item_type": shown[0][0], "item_id": shown[0][1], "recommendation_id": body["id"]}
            )
        if n % 5 == 0 and body["products"]:
            sku = body["products"][0]["sku"]
            events.append(
                {"kind": "add_to_cart", "item_type": "product", "item_id": sku, "recommendation_id": body["id"]}
            )
        for e in events:
            expected[variant][
                {"impression": "impressions", "click": "clicks", "add_to_cart": "add_to_carts"}[e["kind"]]
            ] += 1
        assert client.post(f"{API}/events", json={"events": events}).status_code == 202
    # Answers without a visitor use the live rules and are not counted; nor are their events.
    outside = ask(client, None)
    assert outside["experiment"] is None
    client.post(
        f"{API}/events",
        json={"kind": "click", "item_type": "exercise", "item_id": "plank", "recommendation_id": outside["id"]},
    )

    data = report(runner, "sitting-plank")
    assert data["key"] == "sitting-plank" and data["status"] == "running"
    got = {v["key"]: v for v in data["variants"]}
    assert set(got) == {"control", "b"}
    for variant, counts in expected.items():
        for name in ("answers", "impressions", "clicks", "add_to_carts"):
            assert got[variant][name] == counts[name], (variant, name)
        assert got[variant]["weight"] == 50
        rate = got[variant]["ctr"]
        low, high = rate["interval"]
        assert low <= counts["clicks"] / counts["impressions"] <= high
    assert abs(sum(v["ctr"]["probability_best"] for v in data["variants"]) - 1) < 1e-9
    assert data["sample_ratio"]["mismatch"] is False

    human = runner.invoke(args=["shop-reco", "experiments", "report", "sitting-plank"])
    assert human.exit_code == 0 and "control (weight 50)" in human.output


def test_two_thousand_visitors_are_split_half_and_half_and_all_counted(app: Flask, runner: Any, tmp_path: Path) -> None:
    assert start(runner, tmp_path, plan()).exit_code == 0
    with app.app_context():
        invalidate_snapshot()
        seen = Counter(
            answer_description(SITTING, locale="en", visitor=f"{n:08x}-{n * 7919 % 100003:06d}").experiment.variant  # type: ignore[union-attr]
            for n in range(2000)
        )
    data = report(runner, "sitting-plank")
    answers = {v["key"]: v["answers"] for v in data["variants"]}
    assert answers == dict(seen) and sum(answers.values()) == 2000
    assert all(900 <= count <= 1100 for count in answers.values()), answers  # 45-55% each
    assert data["sample_ratio"]["mismatch"] is False and data["sample_ratio"]["p_value"] > 0.001


def test_same_visitor_same_variant_and_the_variant_rules_answer(
    app: Flask, client: FlaskClient, runner: Any, tmp_path: Path
) -> None:
    assert start(runner, tmp_path, plan()).exit_code == 0
    in_b, in_control = visitor_in("b"), visitor_in("control")
    for _ in range(3):
        assert ask(client, in_b)["experiment"] == {"key": "sitting-plank", "variant": "b"}
        assert ask(client, in_control)["experiment"] == {"key": "sitting-plank", "variant": "control"}
    b_first = ask(client, in_b)["exercises"][0]
    assert b_first["slug"] == "plank" and any(w.get("rule") == "sitting-plank" for w in b_first["why"])
    live = ask(client, None)
    assert live == {**live, "experiment": None}
    assert [e["slug"] for e in ask(client, in_control)["exercises"]] == [e["slug"] for e in live["exercises"]]
    # The answer log keeps the variant (derived codes only, as always).
    with app.app_context():
        app.extensions["shop_reco"].answer_log.flush()
        rows = get_session().execute(select(Recommendation.experiment_key, Recommendation.experiment_variant)).all()
    assert Counter(rows) == Counter({("sitting-plank", "b"): 4, ("sitting-plank", "control"): 4, (None, None): 1})


def test_after_stop_no_answer_carries_the_experiment(
    app: Flask, client: FlaskClient, runner: Any, tmp_path: Path
) -> None:
    assert start(runner, tmp_path, plan()).exit_code == 0
    in_b = visitor_in("b")
    assert ask(client, in_b)["experiment"] is not None
    stopped = runner.invoke(args=["shop-reco", "experiments", "stop", "sitting-plank"])
    assert stopped.exit_code == 0, stopped.output
    for n in range(20):
        assert ask(client, f"after-stop-{n:03d}")["experiment"] is None
    assert ask(client, in_b)["experiment"] is None
    data = report(runner, "sitting-plank")
    assert data["status"] == "stopped" and data["stopped_at"]
    assert sum(v["answers"] for v in data["variants"]) == 1
    again = runner.invoke(args=["shop-reco", "experiments", "stop", "sitting-plank"])
    assert again.exit_code != 0 and "not running" in again.output
    # Start and stop are revisions, with who did it.
    with app.app_context():
        revisions = get_session().scalars(select(Revision).where(Revision.entity == "experiment")).all()
    assert [(r.action, r.actor) for r in revisions] == [("start", "cli"), ("stop", "cli")]
    assert (
        revisions[1].after["status"] == "stopped"
        and revisions[0].after["variants"][1]["rules"][0]["key"] == "sitting-plank"
    )


def test_other_processes_pick_up_start_and_stop_through_the_revision(app: Flask, runner: Any, tmp_path: Path) -> None:
    """Another worker (a second app on the same database) serves the experiment after its revision check."""
    other = make_app(app.config["SHOP_RECO_DATABASE_URL"], tmp_path / "other", SHOP_RECO_RULES_TTL=0)
    try:
        in_b = visitor_in("b")
        with other.app_context():
            assert answer_description(SITTING, locale="en", visitor=in_b, log_answer=False).experiment is None
        assert start(runner, tmp_path, plan()).exit_code == 0
        with other.app_context():
            arm = answer_description(SITTING, locale="en", visitor=in_b, log_answer=False).experiment
            assert arm is not None and (arm.experiment, arm.variant) == ("sitting-plank", "b")
        assert runner.invoke(args=["shop-reco", "experiments", "stop", "sitting-plank"]).exit_code == 0
        with other.app_context():
            assert answer_description(SITTING, locale="en", visitor=in_b, log_answer=False).experiment is None
    finally:
        other.extensions["shop_reco"].close()


@pytest.mark.parametrize(
    "visitor",
    ["short", "x" * 65, "has space 123", "ann@example.com", "ümlaut-1234", 12345678, ""],
)
def test_a_bad_visitor_is_a_400_naming_visitor(client: FlaskClient, visitor: Any) -> None:
    response = client.post(f"{API}/recommendations", json={"description": SITTING, "visitor": visitor})
    assert response.status_code == 400
    body = response.get_json()
    assert body["code"] == "validation_error" and list(body["errors"]) == ["visitor"]


def test_invalid_plans_and_clashes_are_refused_clearly(app: Flask, runner: Any, tmp_path: Path) -> None:
    bad_rule = plan(rules=[{"key": "x", "name": "no actions"}])
    result = start(runner, tmp_path, bad_rule)
    assert result.exit_code != 0 and "variants.1.rules.0.actions" in result.output
    one_variant = {"key": "solo", "variants": [{"key": "control", "weight": 1, "rules": "live"}]}
    assert "variants" in start(runner, tmp_path, one_variant).output
    twice = {
        "key": "twice",
        "variants": [{"key": "a", "weight": 1, "rules": "live"}, {"key": "a", "weight": 1, "rules": "live"}],
    }
    assert "duplicate variant key" in start(runner, tmp_path, twice).output
    zero = plan(key="zero", weights=(0, 50))
    assert "variants.0.weight" in start(runner, tmp_path, zero).output
    assert start(runner, tmp_path, plan()).exit_code == 0
    second = start(runner, tmp_path, plan(key="another"))
    assert second.exit_code != 0 and "'sitting-plank' is running" in second.output
    assert runner.invoke(args=["shop-reco", "experiments", "stop", "sitting-plank"]).exit_code == 0
    reused = start(runner, tmp_path, plan())
    assert reused.exit_code != 0 and "already exists" in reused.output
    missing = runner.invoke(args=["shop-reco", "experiments", "report", "nope"])
    assert missing.exit_code != 0 and "no experiment 'nope'" in missing.output


def test_a_variant_that_breaks_a_safety_case_cannot_start(database_url: str, tmp_path: Path) -> None:
    app = make_app(database_url, tmp_path, SHOP_RECO_PRODUCTS_ON_CONSULT=True)
    runner = app.test_cli_runner()
    try:
        for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
            assert runner.invoke(args=args).exit_code == 0
        # With products allowed on consult, a belt for every consult answer breaks "no products" cases.
        belt = [
            {
                "key": "belt-for-all",
                "name": "A belt, even at consult",
                "conditions": {"safety": ["none", "consult"]},
                "actions": {"products": [{"sku": "lumbar-support-belt", "weight": 3}]},
            }
        ]
        result = start(runner, tmp_path, plan(key="belt", rules=belt))
        assert result.exit_code != 0
        assert "breaks the safety test bench" in result.output and "variant 'b'" in result.output
        assert "numb-tingling-foot" in result.output
        with app.app_context():
            assert get_session().scalars(select(Revision).where(Revision.entity == "experiment")).all() == []
        # The same variant without the consult level starts.
        belt[0]["conditions"] = {"safety": ["none"]}
        assert start(runner, tmp_path, plan(key="belt", rules=belt)).exit_code == 0
    finally:
        app.extensions["shop_reco"].close()


#: Variants built to push everything they can: no rules at all, and rules that target every safety
#: level with pins, products and advice. Only ranking may differ; safety may not.
PUSHY_RULES = [
    {
        "key": "everything-everywhere",
        "name": "Pins and products at every level",
        "conditions": {"safety": ["none", "urgent"]},
        "actions": {
            "exercises": [{"slug": "plank", "weight": 10}],
            "products": [{"sku": "lumbar-support-belt", "weight": 10}],
            "pin": [{"type": "product", "id": "ergonomic-seat-cushion", "position": 1}],
            "avoid": [
                {
                    "code": "heavy-lifting",
                    "text": {"en": "Avoid heavy lifting for now.", "sv": "Undvik tunga lyft ett tag."},
                }
            ],
        },
    }
]


def test_safety_answers_are_identical_in_every_variant(app: Flask, runner: Any, tmp_path: Path) -> None:
    three = {
        "key": "safety-held",
        "variants": [
            {"key": "control", "weight": 1, "rules": "live"},
            {"key": "empty", "weight": 1, "rules": []},
            {"key": "pushy", "weight": 1, "rules": PUSHY_RULES},
        ],
    }
    assert start(runner, tmp_path, three).exit_code == 0
    weights = [("control", 1), ("empty", 1), ("pushy", 1)]
    visitors: dict[str, str] = {}
    n = 0
    while len(visitors) < 3:
        visitors.setdefault(assign_variant("safety-held", f"eval-visitor-{n}", weights), f"eval-visitor-{n}")
        n += 1
    descriptions = eval_descriptions()
    assert len(descriptions) > 50
    levels: Counter[str] = Counter()
    differ = 0
    with app.app_context():
        invalidate_snapshot()
        for locale, text in descriptions:
            answers = {
                v: answer_description(text, locale=locale, visitor=visitors[v], log_answer=False) for v in visitors
            }
            assert {v: a.experiment.variant for v, a in answers.items() if a.experiment} == {v: v for v in visitors}
            safety = {v: a.recommendation.safety for v, a in answers.items()}
            assert len(set(safety.values())) == 1, (text, safety)
            level = safety["control"].level
            levels[level] += 1
            for a in answers.values():
                rec = a.recommendation
                if level == "urgent":
                    assert not rec.exercises and not rec.products and not rec.avoid, text
                elif level == "consult":
                    assert not rec.exercises and not rec.products, text
            ranked = {tuple(p.item.sku for p in a.recommendation.products) for a in answers.values()}
            differ += len(ranked) > 1
    assert levels["urgent"] and levels["consult"] and levels["none"], levels
    assert differ, "the variants' rules answered: what they recommend differs"


def test_an_urgent_description_gets_the_same_notice_in_every_variant(
    client: FlaskClient, runner: Any, tmp_path: Path
) -> None:
    assert start(runner, tmp_path, plan(rules=PUSHY_RULES)).exit_code == 0
    b, control = ask(client, visitor_in("b"), URGENT), ask(client, visitor_in("control"), URGENT)
    assert b["safety"]["level"] == "urgent" and b["safety"] == control["safety"]
    assert b["exercises"] == b["products"] == control["exercises"] == control["products"] == []


def test_the_widget_keeps_no_visitor_id_unless_the_merchant_turns_it_on(
    client: FlaskClient, database_url: str, tmp_path: Path
) -> None:
    assert client.get("/reco/widgets/ui.json").get_json()["visitor_storage"] is False
    allowed = make_app(database_url, tmp_path / "allowed", SHOP_RECO_WIDGET_VISITOR_STORAGE=True)
    try:
        ui = allowed.test_client().get("/reco/widgets/ui.json")
        assert ui.get_json()["visitor_storage"] is True
        assert ui.headers["ETag"] != client.get("/reco/widgets/ui.json").headers["ETag"]
    finally:
        allowed.extensions["shop_reco"].close()
