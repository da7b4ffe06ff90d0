"""The demo's week of sample answers and events: analytics has something to show on day one."""

from __future__ import annotations

from sqlalchemy import func, select

from shop_reco.state import get_session
from shop_reco.storage.models import Event, Product, Recommendation


def test_a_week_of_sample_events_fills_the_analytics_page_once(app) -> None:  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo-events"])
    assert result.exit_code == 0, result.output
    assert "sample data added" in result.output
    with app.app_context():
        session = get_session()
        days = {when.date() for when in session.scalars(select(Event.created_at))}
        assert len(days) >= 7  # a week, each day with events
        skus = set(session.scalars(select(Product.sku)))
        kinds = dict(session.execute(select(Event.kind, func.count()).group_by(Event.kind)).all())
        assert kinds["impression"] > kinds["click"] > kinds.get("add_to_cart", 0) > 0
        carted = set(session.scalars(select(Event.item_id).where(Event.kind == "add_to_cart")))
        assert carted <= skus  # only real products go into the cart
        # Answers hold derived codes only, never a description.
        assert session.scalar(select(func.count()).where(Recommendation.description.is_not(None))) == 0
        before = session.scalar(select(func.count()).select_from(Event))
    again = runner.invoke(args=["demo-events"])
    assert again.exit_code == 0 and "no sample events added" in again.output
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Event)) == before
