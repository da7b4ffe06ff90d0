"""The finder without JavaScript (and in its iframe): the red-flag screen as one step over two POSTs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from shop_reco import vocabulary
from tests.conftest import make_app

FINDER = "/reco/widgets/finder"
EMBED = "/reco/embed/finder"
ORDINARY = "My lower back aches after sitting at my desk all day"
ROUTINE = "Your routine"
SCREEN = "do any of these apply to you?"


def html_of(reply) -> str:  # type: ignore[no-untyped-def]
    assert reply.status_code == 200, reply.status_code
    return str(reply.get_data(as_text=True))


def hidden(html: str, name: str) -> list[str]:
    return re.findall(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)


def screen_form(html: str) -> str:
    start = html.index('class="sr-screen"')
    return html[start : html.index("</form>", start)]


@pytest.mark.parametrize("url", [FINDER, EMBED])
def test_an_ordinary_description_gets_the_screen_first_and_keeps_the_text(client: FlaskClient, url: str) -> None:
    html = html_of(client.post(url, data={"locale": "en", "description": ORDINARY, "area": "hip", "chip": "sitting"}))
    assert SCREEN in html and ROUTINE not in html and 'class="sr-card sr-exercise"' not in html
    step = screen_form(html)
    assert hidden(step, "description") == [ORDINARY]
    assert hidden(step, "area") == ["hip"] and hidden(step, "chip") == ["sitting"]
    assert hidden(step, "screen_step") == ["1"]
    assert 'name="screen_none" value="1">None of these apply</button>' in step
    assert step.count('type="checkbox" name="screen"') == len(vocabulary.RED_FLAGS)  # one question per red flag
    assert "fever" in step and "Do you have a fever" in step
    assert f">{ORDINARY}</textarea>" in html  # the description form below still holds the text


@pytest.mark.parametrize("url", [FINDER, EMBED])
def test_none_of_these_apply_reveals_the_routine(client: FlaskClient, url: str) -> None:
    data = {"locale": "en", "description": ORDINARY, "screen_step": "1", "screen_none": "1"}
    html = html_of(client.post(url, data=data))
    assert ROUTINE in html and SCREEN not in html
    assert 'class="sr-card sr-exercise"' in html


def test_ticking_fever_gives_urgent_advice_with_call_links_and_no_routine(client: FlaskClient) -> None:
    data = {"locale": "sv", "description": "Ont i ländryggen när jag sitter", "screen_step": "1", "screen": "fever"}
    html = html_of(client.post(FINDER, data={**data, "screen_continue": "1"}))
    assert "Sök vård nu" in html and "Ditt träningsprogram" not in html
    assert '<a class="sr-call" href="tel:112">Ring 112 vid nödläge</a>' in html
    assert '<a class="sr-call" href="tel:1177">' in html
    assert 'class="sr-card sr-exercise"' not in html and 'class="sr-card sr-product"' not in html


def test_a_tick_counts_even_when_none_of_these_apply_is_pressed(client: FlaskClient) -> None:
    data = {"locale": "en", "description": ORDINARY, "screen_step": "1", "screen": "trauma", "screen_none": "1"}
    html = html_of(client.post(FINDER, data=data))
    assert "Please get medical help now" in html and ROUTINE not in html
    assert '<span class="sr-call sr-call-plain">Call your local emergency number</span>' in html


def test_continue_with_nothing_ticked_asks_again_and_loses_nothing(client: FlaskClient) -> None:
    data = {"locale": "en", "description": ORDINARY, "screen_step": "1", "screen_continue": "1"}
    html = html_of(client.post(FINDER, data=data))
    assert "Tick what applies, or choose “None of these apply”." in html
    assert SCREEN in html and ROUTINE not in html
    assert hidden(screen_form(html), "description") == [ORDINARY]


def test_urgent_text_skips_the_screen_and_says_what_to_do_now(client: FlaskClient) -> None:
    html = html_of(client.post(FINDER, data={"locale": "en", "description": "I can't control my bladder, back pain"}))
    assert SCREEN not in html and "Please get medical help now" in html
    assert "What to do now" in html and ROUTINE not in html


def test_unknown_screen_codes_from_a_tampered_form_are_ignored(client: FlaskClient) -> None:
    data = {"locale": "en", "description": ORDINARY, "screen_step": "1", "screen": "area:hip", "screen_none": "1"}
    assert ROUTINE in html_of(client.post(FINDER, data=data))


def test_a_vague_text_says_what_we_cover_with_the_routine_as_a_labelled_second_choice(client: FlaskClient) -> None:
    data = {"locale": "en", "description": "my knee hurts", "screen_step": "1", "screen_none": "1"}
    html = html_of(client.post(FINDER, data=data))
    assert "We cover the lower back, hips" in html and "body map" in html
    second = html.index('<details class="sr-second-choice">')
    assert "Or see a general routine instead" in html[second:]
    assert html.index('class="sr-card sr-exercise"') > second  # the routine only inside the second choice


@pytest.mark.parametrize(("mode", "screened"), [("off", False), ("when_uncertain", False)])
def test_the_setting_can_turn_the_screen_off_or_keep_it_for_unclear_text(
    database_url: str, tmp_path: Path, mode: str, screened: bool
) -> None:
    app = make_app(database_url, tmp_path, SHOP_RECO_SCREENING=mode)
    try:
        runner = app.test_cli_runner()
        for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
            assert runner.invoke(args=args).exit_code == 0
        client = app.test_client()
        html = html_of(client.post(FINDER, data={"locale": "en", "description": ORDINARY}))
        assert (SCREEN in html) is screened and (ROUTINE in html) is not screened
        unclear = {"locale": "en", "description": "My lower back aches and I keep running to the toilet"}
        html = html_of(client.post(FINDER, data=unclear))
        assert (SCREEN in html) is (mode == "when_uncertain")
    finally:
        app.extensions["shop_reco"].close()


def test_product_and_article_widgets_show_no_screen_and_keep_their_safety_note(client: FlaskClient) -> None:
    product = html_of(client.get("/reco/widgets/product/lumbar-support-belt"))
    article = html_of(client.get("/reco/widgets/article/hip-and-lower-back-pain"))
    for html in (product, article):
        assert SCREEN not in html and "sr-screen" not in html
    assert 'class="sr-disclaimer"' in product and "not medical advice" in product
    assert 'id="safety"' in article  # the article's own "when to see a doctor" section


def test_only_the_answer_shown_after_the_screen_is_logged(app, client: FlaskClient) -> None:  # type: ignore[no-untyped-def]
    """The first post shows the screen and nothing else: analytics must not count it as an answer."""
    from sqlalchemy import func, select

    from shop_reco.state import get_session
    from shop_reco.storage.models import Recommendation

    def logged() -> int:
        app.extensions["shop_reco"].answer_log.flush()
        with app.app_context():
            return int(get_session().scalar(select(func.count()).select_from(Recommendation)) or 0)

    before = logged()
    assert SCREEN in html_of(client.post(FINDER, data={"locale": "en", "description": ORDINARY}))
    assert logged() == before
    data = {"locale": "en", "description": ORDINARY, "screen_step": "1", "screen_none": "1"}
    assert ROUTINE in html_of(client.post(FINDER, data=data))
    assert logged() == before + 1
