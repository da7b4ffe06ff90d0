"""Answers are memoized per understood profile: exact, bounded, and never stale."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from flask import Flask
from reco_samples import rule, sample_catalog

from shop_reco.answering.answers import memoized_recommend
from shop_reco.answering.snapshot import current_snapshot, invalidate_snapshot
from shop_reco.recommending import DEFAULT_LIMITS, compile_rules, profile_key, recommend
from shop_reco.understanding import Match, Profile
from tests.conftest import eval_descriptions as descriptions


def reworded(profile: Profile) -> Profile:
    """The same understanding written differently: other positions, side, score, and findings that
    do not count (negated, someone else's, hypothetical) added around the shopper's own."""
    moved = tuple(m._replace(start=m.start + 7, end=m.end + 7) for m in profile.matches)
    noise = (
        Match("symptom", "numbness", "numb", 0, 4, negated=True),
        Match("red_flag", "cancer_history", "cancer", 0, 6, experiencer="other"),
        Match("area", "neck", "neck", 0, 4, hypothetical=True),
    )
    return profile._replace(
        matches=noise + moved,
        side="left" if profile.side != "left" else "right",
        severity_score=None if profile.severity_score is not None else 5.0,
    )


def test_recommend_reads_nothing_from_a_profile_but_its_key(app: Flask) -> None:
    """If recommend ever reads a field the key leaves out, memoized answers would be wrong: this fails."""
    with app.app_context():
        snapshot = current_snapshot()
        checked = 0
        for locale, text in descriptions():
            profile = snapshot.analyzer.analyze(text, locale)
            other = reworded(profile)
            assert profile_key(other) == profile_key(profile)
            now = datetime(2026, 6, 1, tzinfo=timezone.utc)
            first = recommend(profile, snapshot.compiled, locale=locale, now=now)
            second = recommend(other, snapshot.compiled, locale=locale, now=now)
            assert first == second, text
            checked += 1
        assert checked >= 60


def post(client: Any, description: str) -> dict[str, Any]:
    reply = client.post("/reco/api/v1/recommendations", json={"description": description, "locale": "en"})
    assert reply.status_code == 200
    body: dict[str, Any] = reply.get_json()
    return body


def shown(body: dict[str, Any]) -> dict[str, Any]:
    """What the shopper is shown: the answer without its id and the analysis (which has text positions)."""
    return {k: v for k, v in body.items() if k not in ("id", "profile")}


def quoted(body: dict[str, Any]) -> set[str]:
    return {
        r["phrase"] for kind in ("exercises", "products") for item in body[kind] for r in item["why"] if r["phrase"]
    }


def test_the_same_understanding_gets_the_same_answer_and_each_shopper_is_quoted(app: Flask) -> None:
    client = app.test_client()
    a = post(client, "My neck is stiff from my laptop")
    b = post(client, "my neck is stiff, probably from the laptop")
    assert a["id"] != b["id"]
    assert shown(a) == shown(b)  # one understanding, one answer (memoized or not)
    c = post(client, "My neck is stiff from hours at the computer")
    assert "laptop" in quoted(a) and "computer" in quoted(c) and "laptop" not in quoted(c)


def test_the_memo_never_outlives_a_rule_edit(app: Flask) -> None:
    from tests.admin_session import recommend as ask  # the API, as the storefront calls it

    client = app.test_client()
    before = ask(client, "my hips ache after sitting")
    from shop_reco.extension import get_session
    from shop_reco.recommending import load_rule
    from shop_reco.storage.content import rule_record, upsert_rule

    with app.app_context():
        session = get_session()
        upsert_rule(
            session,
            rule_record(
                load_rule(
                    {
                        "key": "memo-check",
                        "name": "Memo check",
                        "priority": 900,
                        "conditions": {"all": ["trigger:sitting"]},
                        "actions": {"exercises": [{"slug": "swimming", "weight": 10}]},
                    }
                )
            ),
        )
        session.commit()
        invalidate_snapshot()
    after = ask(client, "my hips ache after sitting")

    def rules(body: dict[str, Any]) -> set[str]:
        return {r["rule"] for e in body["exercises"] for r in e["why"] if r["rule"]}

    assert after["rules_version"] > before["rules_version"]
    assert "memo-check" not in rules(before) and "memo-check" in rules(after)


def test_a_rule_that_expires_changes_the_epoch_so_no_memoized_answer_keeps_it() -> None:
    now = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
    rules = [
        rule("sale", all=["trigger:sitting"], exercises=[("glute-bridge", 1)], valid_until=now + timedelta(hours=1)),
        rule("later", all=["trigger:sitting"], exercises=[("plank", 1)], valid_from=now + timedelta(days=1)),
        rule("always", all=["trigger:sitting"], exercises=[("hip-flexor-stretch", 1)]),
    ]
    compiled = compile_rules(rules, sample_catalog(), revision=1)
    epochs = [compiled.validity_epoch(now + timedelta(hours=h)) for h in (0, 0.5, 2, 23, 25)]
    assert epochs[0] == epochs[1] != epochs[2] == epochs[3] != epochs[4]


def test_the_memo_is_bounded_and_can_be_switched_off(app: Flask) -> None:
    with app.app_context():
        snapshot = current_snapshot()
        texts = ["stiff neck at my desk", "hip pain on the stairs", "my lower back aches after lifting"]
        profiles = [snapshot.analyzer.analyze(t, "en") for t in texts]
        memo = snapshot.compiled.memo(("answers",), dict)
        memo.clear()
        for profile in profiles:
            memoized_recommend(
                profile, snapshot.compiled, locale="en", limits=DEFAULT_LIMITS, products_on_consult=False, size=2
            )
            assert len(memo) <= 2
        memo.clear()
        off, _ = memoized_recommend(
            profiles[0], snapshot.compiled, locale="en", limits=DEFAULT_LIMITS, products_on_consult=False, size=0
        )
        assert not memo and off.exercises


@pytest.mark.parametrize("size", [0, 4096])
def test_answers_are_the_same_with_and_without_the_memo(database_url: str, tmp_path: Any, size: int) -> None:
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path, SHOP_RECO_ANSWER_CACHE_SIZE=size)
    runner = app.test_cli_runner()
    for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
        assert runner.invoke(args=args).exit_code == 0
    client = app.test_client()
    with app.app_context():
        snapshot = current_snapshot()
        for locale, text in descriptions()[:20]:
            reply = client.post("/reco/api/v1/recommendations", json={"description": text, "locale": locale})
            body = reply.get_json()
            expected = recommend(snapshot.analyzer.analyze(text, locale), snapshot.compiled, locale=locale)
            assert [e["slug"] for e in body["exercises"]] == [r.item.slug for r in expected.exercises], text
            assert [p["sku"] for p in body["products"]] == [r.item.sku for r in expected.products], text
    app.extensions["shop_reco"].close()


def test_the_api_body_joined_from_a_memoized_part_is_exactly_the_payload(app: Flask) -> None:
    from shop_reco.answering.answers import answer_description
    from shop_reco.answering.payloads import answer_json, answer_payload

    templates = {"cart_template": "/cart?sku={sku}", "article_template": "/a/{slug}"}
    with app.test_request_context():
        for locale, text in descriptions():
            for _ in range(2):  # the second answer reuses the first one's encoded part
                answer = answer_description(text, locale=locale, log_answer=False)
                assert json.loads(answer_json(answer, **templates)) == answer_payload(answer, **templates), text
        urgent = answer_description("I can't control my bladder and my back hurts", locale="en", log_answer=False)
        assert json.loads(answer_json(urgent, **templates))["exercises"] == []
        # the screen and the scope are encoded once per case and joined: answered, vague, in Swedish
        for text, locale, screening in (
            ("my lower back aches after sitting", "en", {"fever": True}),
            ("everything hurts", "en", None),
            ("allt gör ont", "sv", {"fever": False, "trauma": False}),
        ):
            for _ in range(2):
                answer = answer_description(text, locale=locale, log_answer=False, screening=screening)
                assert json.loads(answer_json(answer, **templates)) == answer_payload(answer, **templates), text


def test_item_reasons_made_once_are_those_written_afresh(app: Flask) -> None:
    """An item's reasons are kept per (rules in rank order, phrases quoted, pin, explained items):
    an answer built from that table is exactly the answer built with the table empty."""
    with app.app_context():
        snapshot = current_snapshot()
        table = snapshot.compiled.memo(("cached", "item_reasons"), dict)
        now = datetime(2026, 6, 1, tzinfo=timezone.utc)
        checked = reused = 0
        for locale, text in descriptions():
            profile = snapshot.analyzer.analyze(text, locale)
            recommend(profile, snapshot.compiled, locale=locale, now=now)  # fills the table
            warm = recommend(profile, snapshot.compiled, locale=locale, now=now)  # answered from it
            reused += bool(table)
            table.clear()
            fresh = recommend(profile, snapshot.compiled, locale=locale, now=now)
            assert warm == fresh, text
            checked += 1
        assert checked >= 60 and reused >= 30


def test_a_cached_table_is_bounded_and_starts_empty_with_each_revision() -> None:
    compiled = compile_rules([rule("sitting", all=["trigger:sitting"], exercises=[("plank", 1)])], sample_catalog())
    made = [compiled.cached("t", n, lambda n=n: n * 2, size=3) for n in range(10)]
    assert made == [n * 2 for n in range(10)]
    assert len(compiled.memo(("cached", "t"), dict)) <= 3
    assert compiled.cached("t", 9, lambda: -1, size=3) == 18  # kept: not made again
    again = compile_rules([rule("sitting", all=["trigger:sitting"], exercises=[("plank", 1)])], sample_catalog())
    assert again.cached("t", 9, lambda: -1, size=3) == -1


def test_a_match_is_shown_by_its_own_fields_in_their_order() -> None:
    from shop_reco.answering.payloads import MATCH_KEYS, profile_payload
    from shop_reco.understanding import Match, analyze

    assert Match._fields[: len(MATCH_KEYS)] == MATCH_KEYS  # the payload zips the two
    shown = profile_payload(analyze("no numbness, but my dad had sciatica and my left hip aches", "en"), "en")
    hip = next(m for m in shown["matches"] if m["code"] == "hip")
    assert hip == {
        "group": "area",
        "code": "hip",
        "phrase": "hip",
        "start": 49,
        "end": 52,
        "negated": False,
        "experiencer": "self",
        "hypothetical": False,
    }
    assert any(m["negated"] for m in shown["matches"]) and any(m["experiencer"] == "other" for m in shown["matches"])
