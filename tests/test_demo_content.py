"""The bundled demo content: valid, complete in English and Swedish, honest, and in our own words."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from shop_reco import vocabulary
from shop_reco.importing.articles import parse_article
from shop_reco.importing.claims import find_claims
from shop_reco.importing.schemas import ArticleSchema, ExerciseSchema, ProductSchema, SourceSchema

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "shop_reco" / "demo" / "data"
# Served by the blueprint's static folder as /reco/static/demo/<sku>.svg.
IMAGES = REPO / "templates" / "shop_reco" / "static" / "demo"
ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "articles" / "hip-and-lower-back-pain.txt"

SCHEMAS = {
    "sources.json": SourceSchema,
    "exercises.json": ExerciseSchema,
    "products.json": ProductSchema,
    "articles.json": ArticleSchema,
}
EXERCISE_KINDS = {
    "hamstring-stretch": "stretch",
    "hip-flexor-stretch": "stretch",
    "piriformis-stretch": "stretch",
    "glute-bridge": "strength",
    "hip-abduction": "strength",
    "hip-extension": "strength",
    "plank": "core",
    "swimming": "aerobic",
    "brisk-walking": "aerobic",
}
SKUS = ("posture-shirt-women-black", "lumbar-support-belt", "ergonomic-seat-cushion")
ANCHORS = (
    "hip-back-link",
    "balanced-routine",
    "stretching",
    "strengthening",
    "core-and-aerobic",
    "form",
    "how-often",
    "safety",
    "ergonomic-aids",
    "what-to-avoid",
)


def load(name: str) -> Any:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def by_key(name: str, key: str) -> dict[str, dict[str, Any]]:
    return {item[key]: item for item in load(name)}


@pytest.fixture(scope="module")
def article_text() -> str:
    if not ARTICLE.is_file():
        pytest.fail(f"the merchant's article is missing: expected it at {ARTICLE} (shared/ beside the repo)")
    return ARTICLE.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_data_file_validates_and_is_pretty_printed(name: str) -> None:
    raw = (DATA / name).read_text(encoding="utf-8")
    data = json.loads(raw)
    assert SCHEMAS[name]().load(data, many=True) is not None
    assert raw == json.dumps(data, ensure_ascii=False, indent=2) + "\n", "keep the files pretty-printed UTF-8"


def test_all_nine_exercises_with_their_kinds_in_english_and_swedish() -> None:
    exercises = by_key("exercises.json", "slug")
    assert {slug: e["kind"] for slug, e in exercises.items()} == EXERCISE_KINDS
    for slug, exercise in exercises.items():
        assert set(exercise["text"]) == {"en", "sv"}, slug
        assert exercise["weekly_frequency"] == {"min": 2, "max": 3}
        for locale, text in exercise["text"].items():
            assert 3 <= len(text["steps"]) <= 6, (slug, locale)
            assert text["cues"] and text["cautions"] and text["dose"] and text["summary"], (slug, locale)
        assert len(exercise["text"]["en"]["steps"]) == len(exercise["text"]["sv"]["steps"]), slug


def test_exercise_concepts_cover_their_target_areas() -> None:
    for slug, exercise in by_key("exercises.json", "slug").items():
        assert {f"area:{a}" for a in exercise["target_areas"]} <= set(exercise["concepts"]), slug
    assert {"area:hip", "area:lower_back", "trigger:sitting", "symptom:tightness"} <= set(
        by_key("exercises.json", "slug")["hip-flexor-stretch"]["concepts"]
    )


def test_every_cited_source_exists_and_every_source_is_cited() -> None:
    sources = set(by_key("sources.json", "key"))
    assert len(sources) == 8
    cited: set[str] = set()
    for exercise in load("exercises.json"):
        assert set(exercise["sources"]) <= sources, exercise["slug"]
        cited |= set(exercise["sources"])
    for article in load("articles.json"):
        assert set(article["sources"]) == sources
    assert cited == sources


def test_source_keys_match_what_the_importer_derives_from_the_real_article(article_text: str) -> None:
    imported = parse_article(article_text, slug="hip-and-lower-back-pain").sources
    assert [s.as_dict() for s in imported] == load("sources.json")


def test_three_products_in_english_and_swedish_with_their_images() -> None:
    products = by_key("products.json", "sku")
    assert tuple(products) == SKUS
    for sku, product in products.items():
        assert set(product["text"]) == {"en", "sv"}
        assert product["url"] == f"/products/{sku}"
        assert product["image_url"] == f"/reco/static/demo/{sku}.svg"
        assert product["currency"] == "EUR" and product["in_stock"] and product["active"]
        image = IMAGES / f"{sku}.svg"
        assert image.is_file(), f"missing product image {image}"
        assert image.stat().st_size < 3 * 1024
        root = ElementTree.parse(image).getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert not any(el.tag.endswith(("script", "foreignObject")) for el in root.iter()), sku
    assert products["posture-shirt-women-black"]["text"]["en"]["name"] == "Women's Posture Shirt, Black"


@pytest.mark.parametrize("sku", SKUS)
@pytest.mark.parametrize("locale", vocabulary.LOCALES)
def test_product_copy_makes_no_treatment_claims(sku: str, locale: str) -> None:
    text = by_key("products.json", "sku")[sku]["text"][locale]
    assert find_claims(f"{text['name']}\n{text['description']}", locale) == []


def test_article_ergonomic_aids_section_makes_no_treatment_claims() -> None:
    for article in load("articles.json"):
        aids = next(s for s in article["sections"] if s["anchor"] == "ergonomic-aids")
        assert find_claims(aids["body"], article["locale"]) == [], article["locale"]


def test_article_in_both_locales_with_the_same_anchors() -> None:
    articles = load("articles.json")
    assert [(a["slug"], a["locale"]) for a in articles] == [
        ("hip-and-lower-back-pain", "en"),
        ("hip-and-lower-back-pain", "sv"),
    ]
    en, sv = ([s["anchor"] for s in a["sections"]] for a in articles)
    assert en == sv
    assert set(ANCHORS) <= set(en)
    for article in articles:
        sections = {s["anchor"]: s for s in article["sections"]}
        assert sections["what-to-avoid"]["kind"] == "faq"
        assert {"red_flag:bladder_bowel", "red_flag:numbness", "red_flag:fever", "red_flag:trauma"} <= set(
            sections["safety"]["concepts"]
        )
        assert all(s["body"] and s["concepts"] for s in article["sections"])


def test_article_states_the_facts_we_rely_on() -> None:
    en, sv = ({s["anchor"]: s["body"] for s in a["sections"]} for a in load("articles.json"))
    assert "two to three sessions a week" in en["how-often"]
    assert "två till tre pass i veckan" in sv["how-often"]
    for word in ("numbness", "weakness", "bladder", "fever", "fall"):
        assert word in en["safety"]
    for word in ("domningar", "svaghet", "urin", "feber", "fall"):
        assert word in sv["safety"]
    for word in ("high-impact", "sit-ups", "toe touches", "twisting"):
        assert word in en["what-to-avoid"]


# --- in our own words ---------------------------------------------------------------------------------


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _normalise(text: str) -> str:
    text = text.replace("’", "'").replace("“", '"').replace("”", '"').replace("™", "")
    return " ".join(text.lower().split())


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", _normalise(text))


def _article_prose(article_text: str) -> str:
    """The article without its source list (bibliographic data may be reused)."""
    return "\n".join(line for line in article_text.splitlines() if not line.lstrip().startswith("- "))


@pytest.mark.parametrize("path", sorted(DATA.glob("*.json")), ids=lambda p: p.name)
def test_no_sentence_of_the_real_article_is_copied(path: Path, article_text: str) -> None:
    content = _normalise("\n".join(_strings(json.loads(path.read_text(encoding="utf-8")))))
    sentences = re.split(r"(?<=[.!?])\s+|\n+", _article_prose(article_text))
    long_sentences = [_normalise(s) for s in sentences if len(s.split()) >= 8]
    assert len(long_sentences) > 50, "the article should yield many sentences to compare"
    copied = [s for s in long_sentences if s in content or s.rstrip(".!?") in content]
    assert copied == [], f"{path.name} copies the merchant's article: {copied}"


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_no_run_of_eight_words_from_the_article_prose(name: str, article_text: str) -> None:
    """Stricter than whole sentences, for the files we wrote."""
    article_words = _words(_article_prose(article_text))
    runs = {tuple(article_words[i : i + 8]) for i in range(len(article_words) - 7)}
    for text in _strings(load(name)):
        words = _words(text)
        shared = [" ".join(words[i : i + 8]) for i in range(len(words) - 7) if tuple(words[i : i + 8]) in runs]
        assert shared == [], f"{name}: {text!r} repeats the article's wording"
