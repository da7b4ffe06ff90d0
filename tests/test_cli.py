"""flask shop-reco ...: the commands a storefront developer runs."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from shop_reco.extension import get_session
from shop_reco.storage.models import Article, Product, Revision, Rule, Synonym
from tests.conftest import SHARED

ARTICLE = SHARED / "articles" / "hip-and-lower-back-pain.txt"


def test_db_current_reports_head(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["shop-reco", "db", "current"])
    assert result.exit_code == 0 and "(head)" in result.output


def test_commands_before_migrating_say_what_to_run(empty_app) -> None:  # type: ignore[no-untyped-def]
    result = empty_app.test_cli_runner().invoke(args=["shop-reco", "demo-data"])
    assert result.exit_code != 0
    assert "flask shop-reco db upgrade" in result.output


def test_demo_data_is_idempotent(app, runner) -> None:  # type: ignore[no-untyped-def]
    with app.app_context():
        revisions = get_session().scalar(select(func.count()).select_from(Revision))
    again = runner.invoke(args=["shop-reco", "demo-data"])
    assert again.exit_code == 0
    assert "0 products changed" in again.output and "0 rules changed" in again.output
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(Revision)) == revisions


def test_import_the_merchants_real_article(app, runner) -> None:  # type: ignore[no-untyped-def]
    assert ARTICLE.is_file(), f"the seed article is missing at {ARTICLE}"
    result = runner.invoke(args=["shop-reco", "import-article", str(ARTICLE), "--slug", "merchant-article"])
    assert result.exit_code == 0, result.output
    assert "8 sources" in result.output
    with app.app_context():
        article = get_session().scalars(select(Article).where(Article.slug == "merchant-article")).one()
        headings = " ".join(s.heading.lower() for s in article.sections)
        for word in ("stretching", "strengthening", "core", "safety", "ergonomic", "questions"):
            assert word in headings, (word, headings)
        tagged = [s for s in article.sections if "area:lower_back" in s.concepts]
        assert tagged, "sections are tagged with concepts by the analyzer"


def test_import_article_with_no_options_names_it_after_the_file(app, runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["shop-reco", "import-article", str(ARTICLE)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("article hip-and-lower-back-pain (en):")
    with app.app_context():
        article = (
            get_session()
            .scalars(select(Article).where(Article.slug == "hip-and-lower-back-pain", Article.locale == "en"))
            .one()
        )
        assert article.title == "Hip and Lower Back Pain"
        assert article.sections[0].kind == "intro" and len(article.sections) > 10
    again = runner.invoke(args=["shop-reco", "import-article", str(ARTICLE)])
    assert again.exit_code == 0 and "(unchanged)" in again.output


def test_import_article_tags_sections_with_the_merchants_synonyms(app, runner) -> None:  # type: ignore[no-untyped-def]
    # The FAQ answer on how often to train names no concept the shipped lexicons know;
    # a merchant's synonym for one of its phrases tags it, as the admin import would.
    faq = "how-often-should-i-perform-these-exercises"
    with app.app_context():
        session = get_session()
        session.add(Synonym(locale="en", group="symptom", code="stiffness", phrase="balanced mix"))
        session.commit()
    result = runner.invoke(args=["shop-reco", "import-article", str(ARTICLE)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        article = (
            get_session()
            .scalars(select(Article).where(Article.slug == "hip-and-lower-back-pain", Article.locale == "en"))
            .one()
        )
        concepts = {s.anchor: set(s.concepts) for s in article.sections}
    assert "symptom:stiffness" in concepts[faq], concepts[faq]


def test_import_article_errors_are_clear(runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    missing = runner.invoke(args=["shop-reco", "import-article", str(tmp_path / "nope.txt")])
    assert missing.exit_code != 0 and "no such file" in missing.output
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    result = runner.invoke(args=["shop-reco", "import-article", str(empty)])
    assert result.exit_code != 0 and "empty.txt" in result.output
    bad_locale = runner.invoke(args=["shop-reco", "import-article", str(ARTICLE), "--locale", "de"])
    assert bad_locale.exit_code != 0 and "supported" in bad_locale.output


def test_import_products_upserts_and_one_bad_row_writes_nothing(app, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    good = tmp_path / "products.csv"
    good.write_text(
        "sku,name,description,price,currency,url,image_url,in_stock,active,concepts,locale\n"
        "foam-roller,Foam roller,A firm roller for the floor,19.90,EUR,/products/foam-roller,,true,true,"
        "area:thigh,en\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["shop-reco", "import-products", str(good)])
    assert result.exit_code == 0, result.output
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "sku,name,description,price,currency,url,image_url,in_stock,active,concepts,locale\n"
        "yoga-mat,Yoga mat,A mat,25.00,EUR,/products/yoga-mat,,true,true,,en\n"
        "broken,Broken,Bad price,-3,EUR,javascript:alert(1),,true,true,,en\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["shop-reco", "import-products", str(bad)])
    assert result.exit_code != 0
    assert "line 3" in result.output and "price" in result.output
    with app.app_context():
        skus = set(get_session().scalars(select(Product.sku)))
        assert "foam-roller" in skus and "yoga-mat" not in skus


def test_import_products_refuses_treatment_claims_unless_allowed(app, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    claims = tmp_path / "claims.csv"
    claims.write_text(
        "sku,name,description,price,currency,url,locale\n"
        "yoga-mat,Yoga mat,A firm mat for the floor,25.00,EUR,/products/yoga-mat,en\n"
        "back-belt,Back belt,This belt cures back pain,39.00,EUR,/products/back-belt,en\n"
        "back-belt,Ryggbälte,Bältet lindrar smärta,39.00,EUR,/products/back-belt,sv\n",
        encoding="utf-8",
    )
    refused = runner.invoke(args=["shop-reco", "import-products", str(claims)])
    assert refused.exit_code != 0
    assert "nothing imported, 2 text(s) read as a treatment or cure claim" in refused.output
    assert "line 3, sku back-belt, description (en): “cures”" in refused.output
    assert "line 4, sku back-belt, description (sv): “lindrar smärta”" in refused.output
    assert "--allow-claims" in refused.output
    with app.app_context():
        assert not {"yoga-mat", "back-belt"} & set(get_session().scalars(select(Product.sku)))

    allowed = runner.invoke(args=["shop-reco", "import-products", "--allow-claims", str(claims)])
    assert allowed.exit_code == 0, allowed.output
    assert "line 3, sku back-belt, description (en): “cures”" in allowed.output
    assert "2 products read, 2 created or updated" in allowed.output
    with app.app_context():
        assert {"yoga-mat", "back-belt"} <= set(get_session().scalars(select(Product.sku)))


def test_recommend_prints_what_the_api_would_answer(runner) -> None:  # type: ignore[no-untyped-def]
    text = runner.invoke(args=["shop-reco", "recommend", "my lower back aches after sitting all day"])
    assert text.exit_code == 0 and "hip-flexor-stretch" in text.output
    as_json = runner.invoke(args=["shop-reco", "recommend", "--json", "fever and back pain"])
    body = json.loads(as_json.output)
    assert body["safety"]["level"] == "urgent" and body["exercises"] == []
    bad = runner.invoke(args=["shop-reco", "recommend", "--locale", "de", "back pain"])
    assert bad.exit_code != 0 and "locale" in bad.output


def test_rules_export_import_round_trip(app, runner, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "rules.json"
    assert runner.invoke(args=["shop-reco", "rules", "export", str(out)]).exit_code == 0
    rules = json.loads(out.read_text(encoding="utf-8"))
    assert len(rules) >= 9
    rules[0]["priority"] = 999
    out.write_text(json.dumps(rules), encoding="utf-8")
    result = runner.invoke(args=["shop-reco", "rules", "import", str(out)])
    assert result.exit_code == 0 and "1 created or updated" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps([{**rules[1], "priority": 5}, {"key": "x", "name": "no actions"}]))
    result = runner.invoke(args=["shop-reco", "rules", "import", str(broken)])
    assert result.exit_code != 0 and "nothing imported" in result.output
    with app.app_context():
        assert get_session().scalars(select(Rule).where(Rule.key == rules[1]["key"])).one().priority != 5
    not_json = tmp_path / "x.json"
    not_json.write_text("{oops")
    assert "not valid JSON" in runner.invoke(args=["shop-reco", "rules", "import", str(not_json)]).output
