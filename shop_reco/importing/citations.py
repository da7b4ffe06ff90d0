"""Reading an article's source list: ``Author. (Year). "Title." Publisher.`` lines.

>>> s = parse_source_line('Smith, J. (2021). "Exercise and Backs." PubMed.')
>>> (s.key, s.authors, s.year, s.title, s.publisher)
('smith-2021', 'Smith, J.', 2021, 'Exercise and Backs', 'PubMed')
"""

from __future__ import annotations

import re
from collections.abc import Collection

from shop_reco.importing.anchors import slugify
from shop_reco.importing.documents import SourceDoc

#: Headings that introduce a source list (compared case-insensitively).
SOURCE_HEADINGS = frozenset(
    {
        "sources",
        "references",
        "bibliography",
        "further reading",
        "källor",
        "källförteckning",
        "referenser",
        "litteratur",
        "litteraturlista",
    }
)

_AUTHOR_YEAR = re.compile(r"^(?P<authors>.+?)\s*\((?P<year>\d{4})[a-z]?\)\s*[.,:]?\s*(?P<rest>.*)$")
_QUOTED_TITLE = re.compile(r"^[\"“”„«](?P<title>.+?)[\"“”»]\s*[.,]?\s*(?P<rest>.*)$")
_URL = re.compile(r"https?://[^\s<>\"]+")
#: Trailing abbreviations whose full stop belongs to the name (``et al.``, ``K.``).
_KEEP_FINAL_STOP = re.compile(r"(?:\bet al\.|\b[A-Z]\.|\bInc\.|\bLtd\.|\bCo\.)$")
_AUTHOR_SPLIT = re.compile(r",|&|\band\b|\boch\b")


def is_source_heading(text: str) -> bool:
    """True when ``text`` is a heading such as ``Sources``, ``References`` or ``Källor``."""
    return text.strip().rstrip(":").casefold() in SOURCE_HEADINGS


def parse_source_line(line: str, taken: Collection[str] = ()) -> SourceDoc:
    """Read one source entry (a leading ``- `` or ``* `` is ignored).

    Lines that do not follow the pattern are kept, with the whole line as the
    title and ``year=None``, so that no source is silently lost.
    """
    text = " ".join(line.strip().lstrip("-*•").split())
    url_match = _URL.search(text)
    url = url_match.group(0).rstrip(".,;)") if url_match else None
    if url_match:
        text = (text[: url_match.start()] + text[url_match.end() :]).strip()
    text = re.sub(r"\s*(?:Available at|Tillgänglig på|Hämtad från)\s*:?\s*$", "", text)

    match = _AUTHOR_YEAR.match(text)
    if not match:
        key = _unique(slugify(" ".join(text.split()[:4]), max_length=40, fallback="source"), taken)
        return SourceDoc(key=key, authors="", year=None, title=text.strip(" ."), publisher="", url=url)

    authors = _clean_authors(match["authors"])
    year = int(match["year"])
    rest = match["rest"].strip()
    quoted = _QUOTED_TITLE.match(rest)
    if quoted:
        title, publisher = quoted["title"], quoted["rest"]
    else:
        title, _, publisher = rest.partition(". ")
    surname = _AUTHOR_SPLIT.split(authors, maxsplit=1)[0]
    key = _unique(f"{slugify(surname, max_length=40, fallback='source')}-{year}", taken)
    return SourceDoc(
        key=key,
        authors=authors,
        year=year,
        title=title.strip().rstrip(".,").strip(),
        publisher=publisher.strip().rstrip(".,").strip(),
        url=url,
    )


def _clean_authors(authors: str) -> str:
    """Drop the full stop that ends the author part, unless it ends an abbreviation."""
    authors = authors.strip().rstrip(",")
    if authors.endswith(".") and not _KEEP_FINAL_STOP.search(authors):
        authors = authors[:-1]
    return authors.strip()


def _unique(key: str, taken: Collection[str]) -> str:
    """``key``, or ``key`` + ``b``, ``c``... as in author-year citations (``smith-2021b``)."""
    if key not in taken:
        return key
    for letter in "bcdefghijklmnopqrstuvwxyz":
        if f"{key}{letter}" not in taken:
            return f"{key}{letter}"
    n = 2
    while f"{key}-{n}" in taken:
        n += 1
    return f"{key}-{n}"
