"""What an imported article becomes: plain dataclasses, no Flask, no database.

``ArticleDoc.as_dict()`` gives the ``articles.json`` shape (validated by
``shop_reco.importing.schemas.ArticleSchema``), so an imported article and a
shipped demo article travel through the same loader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

INTRO: Final = "intro"  # paragraphs before the first heading
SECTION: Final = "section"  # a heading and its paragraphs
GROUP: Final = "group"  # a heading with no text of its own, only sub-parts
FAQ: Final = "faq"  # one question (heading) and its answer (body)
PRODUCT_BLURB: Final = "product_blurb"  # a product name (heading) and its one-line blurb
SECTION_KINDS: Final = (INTRO, SECTION, GROUP, FAQ, PRODUCT_BLURB)


class ArticleImportError(ValueError):
    """The article could not be imported; the message says why and how to fix it."""


@dataclass(frozen=True, slots=True)
class SourceDoc:
    """One entry of the article's source list.

    ``key`` is ``<first author's surname>-<year>`` (``tanaka-2019``), made
    unique with a letter suffix (``smith-2021b``). ``year`` is ``None`` only
    when the line could not be read as ``Author. (Year). "Title." Publisher.``
    """

    key: str
    authors: str
    year: int | None
    title: str
    publisher: str
    url: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The ``sources.json`` shape."""
        return {
            "key": self.key,
            "authors": self.authors,
            "year": self.year,
            "title": self.title,
            "publisher": self.publisher,
            "url": self.url,
        }


@dataclass(frozen=True, slots=True)
class SectionDoc:
    """One addressable part of an article.

    ``body`` is always plain text: paragraphs separated by blank lines, list
    items as ``- `` lines; never HTML, whatever the input format, so templates
    simply escape it. ``parent`` is the anchor of the section an FAQ entry or
    product blurb belongs to.
    """

    anchor: str
    heading: str
    body: str
    kind: str = SECTION
    concepts: frozenset[str] = frozenset()
    parent: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """The shape of one entry of ``sections`` in ``articles.json``."""
        return {
            "anchor": self.anchor,
            "heading": self.heading,
            "body": self.body,
            "kind": self.kind,
            "concepts": sorted(self.concepts),
        }


@dataclass(frozen=True, slots=True)
class ArticleDoc:
    """A parsed article: title, summary, ordered sections and sources."""

    slug: str
    locale: str
    title: str
    summary: str
    sections: list[SectionDoc] = field(default_factory=list)
    sources: list[SourceDoc] = field(default_factory=list)

    def section(self, anchor: str) -> SectionDoc:
        """The section with ``anchor``; ``KeyError`` lists the anchors there are."""
        for section in self.sections:
            if section.anchor == anchor:
                return section
        raise KeyError(f"no section {anchor!r}; anchors: {[s.anchor for s in self.sections]}")

    def as_dict(self) -> dict[str, Any]:
        """The ``articles.json`` shape (sources by key; see ``SourceDoc.as_dict``)."""
        return {
            "slug": self.slug,
            "locale": self.locale,
            "title": self.title,
            "summary": self.summary,
            "sources": [s.key for s in self.sources],
            "sections": [s.as_dict() for s in self.sections],
        }
