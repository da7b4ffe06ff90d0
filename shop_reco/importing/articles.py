"""Importing a merchant's article (plain text, Markdown or HTML) into sections.

The result is an ``ArticleDoc`` of addressable sections (intro, sections, FAQ
entries, product blurbs) and its source list; recommendations link to the
sections by anchor. Plain Python: no Flask, no database.

    >>> doc = parse_article(
    ...     "Moving well\\n"
    ...     "stretching\\nEase into each stretch and hold it.\\n"
    ...     "how often?\\nTwo or three times a week.\\n"
    ... )
    >>> doc.slug, doc.title, [(s.anchor, s.kind) for s in doc.sections]
    ('moving-well', 'Moving well', [('stretching', 'section'), ('how-often', 'faq')])
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from shop_reco import vocabulary
from shop_reco.importing.anchors import display_heading, sentence_case, slugify, unique_anchor
from shop_reco.importing.article_readers import (
    HEADING,
    ITEM,
    PARAGRAPH,
    QUESTION,
    Block,
    read_html,
    read_markdown,
    read_text,
)
from shop_reco.importing.citations import is_source_heading, parse_source_line
from shop_reco.importing.documents import (
    FAQ,
    GROUP,
    INTRO,
    PRODUCT_BLURB,
    SECTION,
    SECTION_KINDS,
    ArticleDoc,
    ArticleImportError,
    SectionDoc,
    SourceDoc,
)

__all__ = [
    "FORMATS",
    "MAX_ARTICLE_BYTES",
    "SECTION_KINDS",
    "ArticleDoc",
    "ArticleImportError",
    "SectionDoc",
    "SourceDoc",
    "Tagger",
    "parse_article",
]

#: Tags a section from ``heading + body`` and the locale, e.g. ``understanding.tag_text``.
Tagger = Callable[[str, str], frozenset[str]]

FORMATS: Final = ("text", "markdown", "html")
MAX_ARTICLE_BYTES: Final = 1024 * 1024
MAX_SUMMARY_CHARS: Final = 300
#: A product blurb is one line of at most this many characters.
MAX_BLURB_CHARS: Final = 240

_READERS: Final = {"text": read_text, "markdown": read_markdown, "html": read_html}
#: Words that make a section a place where product blurbs can appear.
_PRODUCT_CONTEXT = re.compile(
    r"ergonom|product|\baids?\b|support|brace|belt|cushion|chair|shirt|"
    r"hjälpmedel|produkt|stöd|kudde|bälte|stol|tröja",
    re.IGNORECASE,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def parse_article(
    text: str | bytes,
    *,
    fmt: str = "text",
    locale: str = "en",
    slug: str | None = None,
    title: str | None = None,
    name: str | None = None,
    tagger: Tagger | None = None,
) -> ArticleDoc:
    """Parse an article into sections and sources.

    ``fmt`` is ``text`` (headings recognised by shape, see ``read_text``),
    ``markdown`` (``#`` headings) or ``html`` (``h1``-``h6``; sanitised with
    nh3). Section bodies are always plain text. The title is, in order: the
    ``title`` argument, the document's own title (a first line that looks like
    a heading, or the first ``#``/``h1`` heading), the ``slug`` in words, or
    the file ``name`` in words (``hip-and-lower-back-pain.txt`` gives the
    title "Hip and Lower Back Pain" and that slug); the document's own title
    line never becomes a section.
    ``tagger(heading + body, locale)`` supplies each section's concepts.

    Raises ``ArticleImportError`` for empty, oversized (> 1 MB), binary or
    undecodable input, an unknown format or locale, or text without headings.
    """
    if fmt not in _READERS:
        raise ArticleImportError(f"unknown article format {fmt!r}; supported formats: {', '.join(FORMATS)}")
    if locale not in vocabulary.LOCALES:
        raise ArticleImportError(f"unknown locale {locale!r}; supported locales: {', '.join(vocabulary.LOCALES)}")
    source = _decode(text)
    blocks = _READERS[fmt](source)
    if not blocks:
        raise ArticleImportError("the article has no readable text (only markup or whitespace)")

    own_title, blocks = _take_title(blocks, fmt)
    named = _name_words(name)
    if title is None:
        if own_title:
            title = display_heading(own_title, locale)
        elif slug:
            title = display_heading(slug.replace("-", " "), locale)
        elif named:
            title, slug = display_heading(named, locale), slugify(named, fallback="article")
        else:
            raise ArticleImportError(
                "the article has no title line; pass title=..., slug=... or the file's name=... to parse_article"
            )
    slug = slugify(slug or title, fallback="article")

    if not any(b.kind in (HEADING, QUESTION) for b in blocks):
        raise ArticleImportError(
            f"no headings found in this {fmt} article; put each section's heading on a line of its "
            "own (short, without a full stop), or use '#' headings in Markdown / <h2> in HTML"
        )
    builder = _SectionBuilder(title=title, locale=locale)
    builder.read(blocks)
    sections = builder.finish(tagger)
    if not sections:
        raise ArticleImportError("no sections found: the article has headings but no text under them")
    return ArticleDoc(
        slug=slug,
        locale=locale,
        title=title,
        summary=_summary(sections),
        sections=sections,
        sources=builder.sources,
    )


def _name_words(name: str | None) -> str:
    """A file name in words: ``"Hip-and-lower_back.pain.txt"`` -> ``"Hip and lower back pain"``.

    Only the last path part counts and only its last suffix goes; dashes,
    underscores and dots become spaces.
    """
    if not name:
        return ""
    stem = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem = stem.rsplit(".", 1)[0] if "." in stem.lstrip(".") else stem
    return " ".join(re.split(r"[-_.\s]+", stem)).strip()


def _decode(text: str | bytes) -> str:
    """Text from ``str`` or UTF-8 ``bytes``, refusing empty, huge and binary input."""
    if isinstance(text, bytes):
        if len(text) > MAX_ARTICLE_BYTES:
            raise ArticleImportError(
                f"the article is too large ({len(text):,} bytes); the limit is {MAX_ARTICLE_BYTES:,} bytes"
            )
        if b"\x00" in text:
            raise ArticleImportError("the file looks binary (it contains NUL bytes); upload a text file")
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ArticleImportError(
                f"the file is not UTF-8 text (undecodable byte at position {exc.start}); save it as UTF-8 and try again"
            ) from exc
    elif len(text.encode("utf-8", "surrogatepass")) > MAX_ARTICLE_BYTES:
        raise ArticleImportError(f"the article is too large; the limit is {MAX_ARTICLE_BYTES:,} bytes")
    if "\x00" in text:
        raise ArticleImportError("the text looks binary (it contains NUL characters)")
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise ArticleImportError("the article is empty")
    return text


def _take_title(blocks: list[Block], fmt: str) -> tuple[str | None, list[Block]]:
    """The document's own title and the remaining blocks.

    Markdown and HTML: the first level-1 heading. Plain text: a first line that
    looks like a heading (and is not a source-list heading).
    """
    if fmt == "text":
        first = blocks[0]
        if first.kind == HEADING and not is_source_heading(first.text) and len(blocks) > 1:
            return first.text, blocks[1:]
        return None, blocks
    for i, block in enumerate(blocks):
        if block.kind == HEADING and block.level == 1:
            return block.text, blocks[:i] + blocks[i + 1 :]
    return None, blocks


@dataclass
class _Draft:
    """A section being collected: its body parts are (kind, text) pairs."""

    anchor: str
    heading: str
    kind: str
    parent: str | None = None
    parts: list[tuple[str, str]] = field(default_factory=list)

    @property
    def body(self) -> str:
        """Paragraphs separated by blank lines, runs of list items by single newlines."""
        out: list[str] = []
        for i, (kind, text) in enumerate(self.parts):
            if i:
                out.append("\n" if kind == ITEM and self.parts[i - 1][0] == ITEM else "\n\n")
            out.append(f"- {text}" if kind == ITEM else text)
        return "".join(out)


class _SectionBuilder:
    """Gives blocks their meaning: sections, FAQ entries, product blurbs, sources."""

    def __init__(self, *, title: str, locale: str) -> None:
        self.title = title
        self.locale = locale
        self.drafts: list[_Draft] = []
        self.sources: list[SourceDoc] = []
        self._taken: set[str] = set()
        self._current: _Draft | None = None
        self._context: _Draft | None = None  # the latest plain section (parent of FAQ/blurbs)
        self._in_sources = False

    def read(self, blocks: Sequence[Block]) -> None:
        i = 0
        while i < len(blocks):
            block = blocks[i]
            if block.kind == HEADING and is_source_heading(block.text):
                self._in_sources, self._current = True, None
            elif block.kind in (PARAGRAPH, ITEM) and self._in_sources:
                self._add_source(block.text)
            elif block.kind == HEADING and self._is_product_pair(blocks, i):
                blurb = self._start(block.text, PRODUCT_BLURB, heading=display_heading(block.text, self.locale))
                blurb.parts.append((PARAGRAPH, blocks[i + 1].text))
                self._current, i = None, i + 1
            elif block.kind == HEADING:
                heading = display_heading(block.text, self.locale)
                self._context = self._current = self._start(block.text, SECTION, heading=heading)
            elif block.kind == QUESTION:
                self._current = self._start(block.text, FAQ, heading=sentence_case(block.text))
            else:
                if self._current is None:
                    self._current = self._start("intro", INTRO, heading=self.title)
                self._current.parts.append((block.kind, block.text))
            i += 1

    def finish(self, tagger: Tagger | None) -> list[SectionDoc]:
        """The sections in order, empty headings with content after them marked as groups."""
        sections: list[SectionDoc] = []
        for n, draft in enumerate(self.drafts):
            body = draft.body
            kind = draft.kind
            if not body:
                if n == len(self.drafts) - 1:
                    continue  # a trailing heading with nothing under it
                kind = GROUP
            concepts = frozenset(tagger(f"{draft.heading}\n\n{body}", self.locale)) if tagger else frozenset()
            sections.append(
                SectionDoc(
                    anchor=draft.anchor,
                    heading=draft.heading,
                    body=body,
                    kind=kind,
                    concepts=concepts,
                    parent=draft.parent,
                )
            )
        return sections

    def _start(self, anchor_text: str, kind: str, *, heading: str) -> _Draft:
        self._in_sources = False
        anchor = unique_anchor(anchor_text, self._taken)
        self._taken.add(anchor)
        parent = self._context.anchor if kind in (FAQ, PRODUCT_BLURB) and self._context else None
        draft = _Draft(anchor=anchor, heading=heading, kind=kind, parent=parent)
        self.drafts.append(draft)
        return draft

    def _add_source(self, line: str) -> None:
        self.sources.append(parse_source_line(line, taken={s.key for s in self.sources}))

    def _is_product_pair(self, blocks: Sequence[Block], i: int) -> bool:
        """A short name heading, then a one-line blurb, then a heading, question or the end.

        Only inside a section about products or aids that has text of its own
        (the ergonomic-aids part), or when the name carries a ™/® mark.
        """
        if i + 1 >= len(blocks) or len(blocks[i].text) > 80:
            return False
        blurb = blocks[i + 1]
        if blurb.kind != PARAGRAPH or len(blurb.text) > MAX_BLURB_CHARS or "\n" in blurb.text:
            return False
        if i + 2 < len(blocks) and blocks[i + 2].kind not in (HEADING, QUESTION):
            return False
        if "™" in blocks[i].text or "®" in blocks[i].text:
            return True
        context = self._context
        if context is None or not context.parts or context.kind != SECTION:
            return False
        return bool(_PRODUCT_CONTEXT.search(f"{context.heading}\n{context.body}"))


def _summary(sections: Sequence[SectionDoc]) -> str:
    """The first paragraph of the intro (or of the first section), cut to whole sentences."""
    first = next((s for s in sections if s.kind == INTRO), None) or next((s for s in sections if s.body), None)
    if first is None:
        return ""
    paragraph = first.body.split("\n\n", 1)[0]
    summary = ""
    for sentence in _SENTENCE.split(paragraph):
        if len(summary) + len(sentence) + 1 > MAX_SUMMARY_CHARS:
            break
        summary = f"{summary} {sentence}".strip()
    if not summary:
        summary = paragraph[: MAX_SUMMARY_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return summary
