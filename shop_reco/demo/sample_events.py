"""A week of sample answers and storefront events, so the demo's analytics has something to show.

    flask --app shop_reco.demo demo-events        # `make demo` runs it after `shop-reco demo-data`

The answers are real: a handful of sample descriptions go through the same
answering path as a shopper's (only their derived codes and item ids are kept,
as always), and each is spread over the last seven days with impressions, some
clicks and a few add-to-carts drawn from a fixed seed. Nothing is added when the
shop already has events: sample data never mixes with real shoppers'.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

import click
from flask import Flask
from flask.cli import with_appcontext
from sqlalchemy import func, select

from shop_reco import vocabulary
from shop_reco.answering.answers import answer_description, shown_items
from shop_reco.state import get_session
from shop_reco.storage.ids import time_ordered_id
from shop_reco.storage.models import Event, Recommendation

#: How shoppers of the demo shop describe themselves (our own words).
SAMPLE_DESCRIPTIONS = (
    ("en", "My lower back aches after sitting at my desk all day"),
    ("en", "Stiff neck and shoulders from working at the computer"),
    ("en", "My hip hurts when I climb the stairs"),
    ("sv", "Ont i ländryggen när jag sitter länge"),
    ("sv", "Stel i nacken efter en hel dag vid datorn"),
    ("en", "Tight hips after long drives, the left side mostly"),
)
DAYS = 7
#: Chance that an impression is clicked, and that a clicked product goes into the cart.
CLICK_RATE = 0.18
CART_RATE = 0.3
IMPRESSION, CLICK, ADD_TO_CART = vocabulary.EVENT_KINDS


def add_sample_events(*, days: int = DAYS, per_day: int = 12, seed: int = 7) -> tuple[int, int]:
    """Add ``days`` days of sample answers and events; returns (answers, events) added."""
    session = get_session()
    if session.scalar(select(func.count()).select_from(Event)):
        return 0, 0
    rnd = random.Random(seed)
    answers = [
        answer_description(text, locale=locale, source="widget", screening={}, log_answer=False)
        for locale, text in SAMPLE_DESCRIPTIONS
    ]
    now = datetime.now(timezone.utc).replace(microsecond=0)
    records, events = 0, 0
    for day in range(days):
        for _ in range(per_day + rnd.randint(-3, 3)):
            answer = rnd.choice(answers)
            shown = shown_items(answer.recommendation)
            when = now - timedelta(days=day, minutes=rnd.randint(0, 24 * 60 - 1))
            record = Recommendation(
                id=time_ordered_id(),
                created_at=when,
                locale=answer.recommendation.locale,
                safety_level=answer.recommendation.safety.level,
                concepts=sorted(answer.profile.concepts) if answer.profile is not None else [],
                items=shown,
                fallback=answer.recommendation.fallback,
                rules_revision=answer.recommendation.rules_revision,
                source="widget",
            )
            session.add(record)
            records += 1
            page_view = f"sample-{rnd.getrandbits(48):012x}"
            for item in shown:
                rule = item["rules"][0] if item["rules"] else None
                kinds = [IMPRESSION]
                if rnd.random() < CLICK_RATE:
                    kinds.append(CLICK)
                    if item["type"] == "product" and rnd.random() < CART_RATE:
                        kinds.append(ADD_TO_CART)
                for kind in kinds:
                    session.add(
                        Event(
                            created_at=when + timedelta(seconds=len(kinds)),
                            kind=kind,
                            recommendation_id=record.id,
                            item_type=item["type"],
                            item_id=item["id"],
                            rule_key=rule,
                            page_view=page_view,
                            widget="finder",
                            locale=answer.recommendation.locale,
                        )
                    )
                    events += 1
    session.commit()
    return records, events


def register_sample_events(app: Flask) -> None:
    """``flask demo-events``: the demo host's own command (the extension ships no sample data)."""

    @app.cli.command("demo-events")
    @click.option("--days", default=DAYS, show_default=True, help="How many days back.")
    @with_appcontext
    def demo_events(days: int) -> None:
        """Add a week of sample answers and events for the demo's analytics (only when there are none)."""
        answers, events = add_sample_events(days=days)
        if not answers:
            click.echo("the shop has events already: no sample events added")
        else:
            click.echo(f"sample data added: {answers} answers, {events} events over {days} days")
