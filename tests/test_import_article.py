"""Importing a merchant's article: the real plain-text article, Markdown, HTML, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shop_reco.importing.anchors import slugify
from shop_reco.importing.articles import (
    FORMATS,
    MAX_ARTICLE_BYTES,
    ArticleDoc,
    ArticleImportError,
    SectionDoc,
    parse_article,
)
from shop_reco.importing.schemas import ArticleSchema, SourceSchema

ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "articles" / "hip-and-lower-back-pain.txt"


@pytest.fixture(scope="module")
def article_bytes() -> bytes:
    if not ARTICLE.is_file():
        pytest.fail(f"the merchant's article is missing: expected it at {ARTICLE} (shared/ beside the repo)")
    return ARTICLE.read_bytes()


@pytest.fixture(scope="module")
def real(article_bytes: bytes) -> ArticleDoc:
    return parse_article(article_bytes, slug="hip-and-lower-back-pain")


def find(doc: ArticleDoc, *words: str, kind: str | None = None) -> SectionDoc:
    """The first section whose heading contains all ``words`` (case-insensitive)."""
    for section in doc.sections:
        heading = section.heading.lower()
        if all(w in heading for w in words) and (kind is None or section.kind == kind):
            return section
    pytest.fail(f"no section with {words} in its heading; headings: {[s.heading for s in doc.sections]}")


# --- the real article ---------------------------------------------------------------------------


def test_real_article_takes_slug_and_title_from_its_file_name(article_bytes: bytes) -> None:
    doc = parse_article(article_bytes, name=ARTICLE.name)
    assert (doc.slug, doc.title) == ("hip-and-lower-back-pain", "Hip and Lower Back Pain")
    assert doc.sections[0].kind == "intro", "the first paragraph is the intro, not a title"


@pytest.mark.parametrize(
    ("name", "slug", "title"),
    [
        ("uploads/Desk_breaks.txt", "desk-breaks", "Desk breaks"),
        ("C:\\Users\\shop\\hip-care.md", "hip-care", "Hip Care"),
        ("höft-och-rygg.txt", "hoft-och-rygg", "Höft Och Rygg"),
    ],
)
def test_file_name_gives_slug_and_title_without_a_title_line(name: str, slug: str, title: str) -> None:
    doc = parse_article("Intro sentence here.\nstretching\nHold it.", name=name)
    assert (doc.slug, doc.title) == (slug, title)


def test_title_line_and_slug_win_over_the_file_name() -> None:
    titled = parse_article("Moving well\nstretching\nHold it.", name="notes.txt")
    assert (titled.slug, titled.title) == ("moving-well", "Moving well")
    slugged = parse_article("Intro sentence here.\nstretching\nHold it.", slug="desk", name="notes.txt")
    assert (slugged.slug, slugged.title) == ("desk", "Desk")


def test_real_article_has_title_from_slug_and_summary_from_intro(real: ArticleDoc) -> None:
    assert real.slug == "hip-and-lower-back-pain"
    assert real.locale == "en"
    assert real.title == "Hip and Lower Back Pain"
    assert real.sections[0].kind == "intro"
    assert real.summary and real.sections[0].body.startswith(real.summary.split(".")[0])
    assert len(real.summary) <= 300


@pytest.mark.parametrize(
    "words",
    [
        ("stretching",),
        ("strengthening",),
        ("core stability", "aerobic"),
        ("instruction",),
        ("safety",),
        ("ergonomic aids",),
    ],
)
def test_real_article_has_a_section_for(real: ArticleDoc, words: tuple[str, ...]) -> None:
    section = find(real, *words, kind="section")
    assert len(section.body) > 200, "each of these sections carries its paragraphs"


def test_real_article_headings_are_title_cased_and_anchors_slugified(real: ArticleDoc) -> None:
    stretching = find(real, "stretching exercises")
    assert stretching.heading == "Stretching Exercises"
    assert stretching.anchor == "stretching-exercises"
    assert find(real, "effectiveness").heading == "Effectiveness of Hip-Focused Exercises"
    anchors = [s.anchor for s in real.sections]
    assert len(anchors) == len(set(anchors))
    assert all(a == slugify(a) and a.isascii() for a in anchors)


def test_real_article_faq_questions_and_answers(real: ArticleDoc) -> None:
    faq = [s for s in real.sections if s.kind == "faq"]
    assert len(faq) == 5
    assert all(s.heading.endswith("?") and s.heading[0].isupper() for s in faq)
    assert all(s.body for s in faq)
    often = find(real, "how often", kind="faq")
    assert "two to three times a week" in often.body
    group = find(real, "frequently asked questions")
    assert group.kind == "group" and group.body == ""
    assert {s.parent for s in faq} == {group.anchor}


def test_real_article_product_blurbs_sit_under_ergonomic_aids(real: ArticleDoc) -> None:
    blurbs = [s for s in real.sections if s.kind == "product_blurb"]
    assert [b.heading for b in blurbs] == ["Women's Posture Shirt™ - Black", "Lumbar support belt"]
    assert blurbs[0].anchor == "womens-posture-shirt-black"
    aids = find(real, "ergonomic aids", kind="section")
    assert {b.parent for b in blurbs} == {aids.anchor}
    assert all("\n" not in b.body and b.body.endswith(".") for b in blurbs)


def test_real_article_has_its_eight_sources(real: ArticleDoc) -> None:
    assert len(real.sources) == 8
    first = real.sources[0]
    assert (first.key, first.authors, first.year) == ("tanaka-2019", "Tanaka, K. et al.", 2019)
    assert first.title == "The Relationship Between Hip Flexibility and Lower Back Pain"
    assert first.publisher == "The Tohoku Journal of Experimental Medicine"
    assert [s.year for s in real.sources] == [2019, 2023, 2021, 2021, 2020, 2022, 2021, 2023]
    assert all(s.authors and s.title and s.publisher for s in real.sources)
    assert real.sources[2].authors == "Mayo Clinic Staff"
    assert len({s.key for s in real.sources}) == 8
    for source in real.sources:
        SourceSchema().load(source.as_dict())
    assert not any("Källor" in s.heading or "Tanaka" in s.body for s in real.sections)


def test_real_article_sections_are_tagged_by_the_given_tagger(article_bytes: bytes) -> None:
    calls: list[tuple[str, str]] = []

    def tagger(text: str, locale: str) -> frozenset[str]:
        calls.append((text, locale))
        return frozenset({"area:hip"}) if "hip" in text.lower() else frozenset()

    doc = parse_article(article_bytes, slug="hip-and-lower-back-pain", tagger=tagger)
    assert len(calls) == len(doc.sections)
    assert all(locale == "en" for _, locale in calls)
    stretching = find(doc, "stretching exercises")
    assert stretching.concepts == frozenset({"area:hip"})
    assert calls[doc.sections.index(stretching)][0].startswith("Stretching Exercises\n\n")


def test_real_article_round_trips_through_the_article_schema(real: ArticleDoc) -> None:
    loaded = ArticleSchema().load(real.as_dict())
    assert [s["anchor"] for s in loaded["sections"]] == [s.anchor for s in real.sections]
    assert loaded["sources"][0] == "tanaka-2019"


def test_same_text_gives_the_same_anchors(article_bytes: bytes, real: ArticleDoc) -> None:
    again = parse_article(article_bytes.decode("utf-8"), slug="hip-and-lower-back-pain")
    assert [s.anchor for s in again.sections] == [s.anchor for s in real.sections]


# --- plain-text variants -------------------------------------------------------------------------

SWEDISH = """Höft och rygg i vardagen
Den här texten handlar om rörelse.

stretching för höftböjare
Gör övningen lugnt och håll i trettio sekunder.

stretching för höftböjare
Samma rubrik en gång till, för att pröva unika ankare.

hur ofta ska jag träna?
Två till tre gånger i veckan.

Källor
- Andersson, A. (2020). "Rörelse och rygg." Läkartidningen. https://example.org/a
"""


def test_swedish_text_with_title_line_and_blank_lines() -> None:
    doc = parse_article(SWEDISH, locale="sv")
    assert doc.title == "Höft och rygg i vardagen"
    assert doc.slug == "hoft-och-rygg-i-vardagen"
    assert [s.anchor for s in doc.sections] == [
        "intro",
        "stretching-for-hoftbojare",
        "stretching-for-hoftbojare-2",
        "hur-ofta-ska-jag-trana",
    ]
    assert doc.sections[1].heading == "Stretching för höftböjare", "Swedish headings get sentence case"
    assert doc.sections[3].kind == "faq"
    (source,) = doc.sources
    assert (source.key, source.year, source.url) == ("andersson-2020", 2020, "https://example.org/a")


def test_wrapped_paragraphs_are_joined_when_blank_lines_separate_them() -> None:
    text = (
        "Moving more\n\nStretching\n\nA long paragraph that was wrapped\nat a fixed width by an editor\n"
        "and goes on here.\n\n"
        "Strength\n\n- bridge\n- plank\n"
    )
    doc = parse_article(text, slug="wrapped")
    assert doc.title == "Moving more", "headings with capitals are kept as written"
    assert [(s.heading, s.body) for s in doc.sections] == [
        ("Stretching", "A long paragraph that was wrapped at a fixed width by an editor and goes on here."),
        ("Strength", "- bridge\n- plank"),
    ]


# --- Markdown and HTML -----------------------------------------------------------------------------


def test_markdown_article() -> None:
    source = """# Hips and backs

Why they go *together*.

## Stretching

Hold each stretch for **30 seconds**.

- hamstring stretch
- hip flexor stretch

## FAQ

### How often?

Two to three times a week.

## Sources

- Lee, H. et al. (2023). "Effects of Exercise on Chronic Lower Back Pain." Journal of Pain Research.
"""
    doc = parse_article(source, fmt="markdown")
    assert doc.title == "Hips and backs"
    assert doc.slug == "hips-and-backs"
    assert [(s.anchor, s.kind) for s in doc.sections] == [
        ("intro", "intro"),
        ("stretching", "section"),
        ("faq", "group"),
        ("how-often", "faq"),
    ]
    assert doc.section("stretching").body == (
        "Hold each stretch for 30 seconds.\n\n- hamstring stretch\n- hip flexor stretch"
    )
    assert doc.section("intro").body == "Why they go together."
    assert doc.sources[0].key == "lee-2023"


XSS_HTML = """<html><head><title>ignored</title><style>h2 {color: red}</style></head><body>
<h1 onclick="alert('h1')">Back care</h1>
<p>Intro <a href="javascript:alert('link')">click</a> and <a href="/ok">fine</a>.</p>
<script>alert('script')</script>
<h2>Stretching<img src="x" onerror="alert('img')"></h2>
<p onmouseover="alert('p')">Move <b>slowly</b>.<br>Breathe out.</p>
<iframe src="https://evil.example/">framed text</iframe>
<p>&lt;script&gt; shown as text is harmless</p>
<svg><script>alert('svg')</script></svg>
<h2>FAQ</h2>
<dl><dt>How often?</dt><dd>Twice a week.</dd></dl>
<!-- a comment with alert('comment') -->
</body></html>"""


def test_html_article_is_sanitised_to_plain_text() -> None:
    doc = parse_article(XSS_HTML, fmt="html")
    assert doc.title == "Back care"
    everything = " ".join([doc.title, doc.summary] + [f"{s.heading} {s.body}" for s in doc.sections])
    for payload in ("alert(", "javascript:", "onerror", "onclick", "onmouseover", "<img", "iframe", "framed"):
        assert payload not in everything, payload
    assert "ignored" not in everything and "color: red" not in everything
    assert doc.section("stretching").body == "Move slowly.\nBreathe out.\n\n<script> shown as text is harmless"
    assert doc.section("intro").body == "Intro click and fine."
    assert doc.section("how-often").kind == "faq"
    assert doc.section("how-often").body == "Twice a week."


def test_markdown_with_inline_and_block_html_is_sanitised() -> None:
    source = (
        "# T\n\n## Part\n\nHello <script>alert(1)</script> <span onclick='x()'>world</span>.\n\n"
        '<div onclick="alert(2)">block <a href="javascript:alert(3)">link</a></div>\n'
    )
    doc = parse_article(source, fmt="markdown")
    body = doc.section("part").body
    assert "alert" not in body and "onclick" not in body and "javascript" not in body
    assert body == "Hello world.\n\nblock link"


# --- errors ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kwargs", "message"),
    [
        ("", {}, "empty"),
        ("   \n\n  ", {"slug": "x"}, "empty"),
        (b"", {}, "empty"),
        ("A paragraph. Another sentence.\nMore text here.", {"slug": "x"}, "no headings found"),
        ("<p>only <b>text</b>.</p>", {"fmt": "html", "slug": "x"}, "no headings found"),
        ("<script>alert(1)</script>", {"fmt": "html", "slug": "x"}, "no readable text"),
        ("# T\n\nx", {"fmt": "docx"}, "supported formats: text, markdown, html"),
        ("heading\ntext.", {"locale": "de"}, "supported locales: en, sv"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", {}, "binary"),
        (b"stretching\nH\xe4ll 30 sekunder.", {"slug": "x"}, "not UTF-8"),
        (b"x" * (MAX_ARTICLE_BYTES + 1), {}, "too large"),
        ("x" * (MAX_ARTICLE_BYTES + 1), {}, "too large"),
        ("Intro sentence here.\nstretching\nHold it.", {}, "pass title=..., slug=... or the file's name=..."),
        ("Intro sentence here.\nstretching\nHold it.", {"name": "---.txt"}, "no title line"),
    ],
)
def test_bad_input_raises_a_clear_error(text: str | bytes, kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ArticleImportError, match=message.replace(".", r"\.").replace("(", r"\(")):
        parse_article(text, **kwargs)  # type: ignore[arg-type]


def test_article_import_error_is_a_value_error() -> None:
    assert issubclass(ArticleImportError, ValueError)


# --- any input: a document or a clear error, never a crash ---------------------------------------------


@given(
    text=st.text(alphabet=st.characters(codec="utf-8"), max_size=600)
    | st.lists(
        st.sampled_from(
            [
                "stretching",
                "how often?",
                "Källor",
                '- Smith, J. (2021). "T." P.',
                "# Hi",
                "## Part",
                "<h2 onclick=x>Part</h2>",
                "<p>Text.</p>",
                "Some text here.",
                "",
                "- item",
                "<script>x</script>",
            ]
        ),
        max_size=12,
    ).map("\n".join),
    fmt=st.sampled_from(FORMATS),
    locale=st.sampled_from(["en", "sv"]),
)
def test_any_input_parses_or_raises_article_import_error(text: str, fmt: str, locale: str) -> None:
    try:
        doc = parse_article(text, fmt=fmt, locale=locale, slug="any")
    except ArticleImportError as exc:
        assert str(exc)
        return
    anchors = [s.anchor for s in doc.sections]
    assert doc.sections and len(anchors) == len(set(anchors))
    assert all(a == slugify(a) for a in anchors)
    assert all("<script" not in s.body.lower() for s in doc.sections if fmt != "text")
