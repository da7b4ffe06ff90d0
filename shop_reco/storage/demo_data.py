"""Load the bundled demo content (``shop_reco/demo/data/*.json``) into the database.

Idempotent: loading twice changes nothing the second time. Every file is
validated with the same schemas as imports before anything is written.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from shop_reco.importing.schemas import ArticleSchema, ExerciseSchema, ProductSchema, SourceSchema
from shop_reco.recommending.rules import load_rules
from shop_reco.storage.content import (
    replace_article,
    rule_record,
    upsert_exercise,
    upsert_product,
    upsert_rule,
    upsert_source,
)
from shop_reco.storage.models import TestCase

ACTOR = "demo-data"


class DemoDataError(ValueError):
    """A bundled data file is missing or invalid (a packaging bug)."""


def read_demo_file(name: str) -> Any:
    """The parsed JSON of one demo data file."""
    try:
        text = resources.files("shop_reco.demo").joinpath("data", name).read_text(encoding="utf-8")
        return json.loads(text)
    except (OSError, ValueError) as exc:
        raise DemoDataError(f"demo data file {name} cannot be read: {exc}") from exc


def _validated(name: str, schema: Any) -> list[dict[str, Any]]:
    try:
        return schema.load(read_demo_file(name), many=True)
    except ValidationError as exc:
        raise DemoDataError(f"demo data file {name} is invalid: {exc.messages}") from exc


def load_demo_data(session: Session) -> dict[str, int]:
    """Upsert the demo sources, products, exercises, articles, rules and test cases.

    Returns how many records of each kind were created or changed. The caller commits.
    """
    sources = _validated("sources.json", SourceSchema())
    products = _validated("products.json", ProductSchema())
    exercises = _validated("exercises.json", ExerciseSchema())
    articles = _validated("articles.json", ArticleSchema())
    try:
        rules = [rule_record(r) for r in load_rules(read_demo_file("rules.json"))]
    except ValidationError as exc:
        raise DemoDataError(f"demo data file rules.json is invalid: {exc.messages}") from exc
    cases = read_demo_file("testbench.json")

    counts = {"sources": 0, "products": 0, "exercises": 0, "articles": 0, "rules": 0, "test cases": 0}
    for data in sources:
        counts["sources"] += upsert_source(session, data, ACTOR)[1]
    for data in products:
        counts["products"] += upsert_product(session, data, ACTOR)[1]
    for data in exercises:
        counts["exercises"] += upsert_exercise(session, data, ACTOR)[1]
    for data in articles:
        counts["articles"] += replace_article(session, data, ACTOR)[1]
    for data in rules:
        counts["rules"] += upsert_rule(session, data, ACTOR)[1]
    for case in cases:
        row = session.execute(select(TestCase).where(TestCase.key == case["id"])).scalar_one_or_none()
        if row is None:
            session.add(TestCase(key=case["id"], locale=case["locale"], text=case["text"], expect=case["expect"]))
            counts["test cases"] += 1
    session.flush()
    return counts
