"""Turning article text, Markdown or HTML into a flat list of blocks.

Each reader only recognises *shapes* (headings, questions, paragraphs, list
items); deciding what a block means (title, FAQ entry, product blurb, source
list) is ``shop_reco.importing.articles``' job, shared by all formats.

HTML, and HTML inside Markdown, is sanitised with nh3 before any text is taken
from it: script, style and similar elements are dropped with their content,
event-handler attributes and ``javascript:`` URLs never survive, and the blocks
carry plain text only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Final

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML

HEADING: Final = "heading"
QUESTION: Final = "question"
PARAGRAPH: Final = "paragraph"
ITEM: Final = "item"

#: A plain-text line longer than this is never a heading or a product name.
MAX_HEADING_CHARS: Final = 100
MAX_HEADING_WORDS: Final = 14
MAX_QUESTION_CHARS: Final = 200

_SENTENCE_END = '.!?:;"”’)…»'
_LIST_MARKER = re.compile(r"^(?:[-*•]|\d{1,3}[.)])\s+")
_INNER_SENTENCE_BREAK = re.compile(r"[.!?]\s+\S")

# fmt: off
_BLOCK_TAGS: Final = frozenset({
    "address", "article", "aside", "blockquote", "caption", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li",
    "main", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
})
_INLINE_TAGS: Final = frozenset({
    "a", "abbr", "b", "bdi", "br", "cite", "code", "data", "dfn", "em", "i", "kbd", "mark", "q",
    "s", "samp", "small", "span", "strong", "sub", "sup", "time", "u", "var",
})
#: Elements removed together with everything inside them.
_DROPPED_WITH_CONTENT: Final = frozenset({
    "script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
    "title", "textarea", "select", "button", "form",
})
# fmt: on


@dataclass(frozen=True, slots=True)
class Block:
    """One structural piece of an article; ``level`` is 1-6 for headings, else 0."""

    kind: str
    text: str
    level: int = 0


def sanitize_html(html: str) -> str:
    """The HTML with only harmless structure left (nh3): no scripts, handlers or js: URLs."""
    return nh3.clean(
        html,
        tags=set(_BLOCK_TAGS | _INLINE_TAGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes={"a": {"href", "title"}, "abbr": {"title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel=None,
        strip_comments=True,
    )


def read_html(html: str) -> list[Block]:
    """Blocks from an HTML document or fragment: ``h1``-``h6`` are headings, ``li`` items."""
    reader = _HtmlBlockReader()
    reader.feed(sanitize_html(html))
    reader.close()
    return reader.blocks


def html_to_text(html: str) -> str:
    """The readable text of an HTML fragment, after sanitising (blocks joined by blank lines)."""
    return "\n\n".join(b.text for b in read_html(html))


def read_markdown(source: str) -> list[Block]:
    """Blocks from Markdown, walking markdown-it-py's token stream.

    ``#``-``######`` give headings of that level; inline markup is rendered and
    reduced to text through the HTML sanitiser, so inline HTML is safe too.
    """
    md = MarkdownIt("commonmark")
    renderer = RendererHTML()
    tokens = md.parse(source)
    blocks: list[Block] = []
    heading_level = 0
    list_depth = 0
    for token in tokens:
        if token.type == "heading_open":
            heading_level = int(token.tag[1])
        elif token.type == "heading_close":
            heading_level = 0
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "inline":
            html = renderer.renderInline(token.children or [], md.options, {})
            text = html_to_text(html)
            if not text:
                continue
            if heading_level:
                blocks.append(_heading_or_question(text, heading_level))
            elif list_depth:
                blocks.append(Block(ITEM, text))
            else:
                blocks.append(_paragraph_or_question(text))
        elif token.type == "html_block":
            blocks.extend(read_html(token.content))
        elif token.type in ("fence", "code_block") and token.content.strip():
            blocks.append(Block(PARAGRAPH, token.content.strip("\n")))
    return blocks


def read_text(text: str) -> list[Block]:
    """Blocks from plain text, where headings are only recognisable by their shape.

    A heading is a short line (at most 14 words, 100 characters) that does not
    end like a sentence; a question is a one-sentence line ending in ``?``;
    ``- ``, ``* `` and ``1. `` lines are list items. When the text separates
    paragraphs with blank lines, lines inside one paragraph are joined and only
    a block's first line can be a heading; otherwise every line is a block.
    """
    lines = [line.rstrip() for line in text.splitlines()]
    content = [i for i, line in enumerate(lines) if line.strip()]
    if not content:
        return []
    blank_separated = any(not lines[i].strip() for i in range(content[0], content[-1]))

    blocks: list[Block] = []
    paragraph: list[str] | None = None  # lines of the paragraph being read
    body = lines[content[0] : content[-1] + 1]
    for n, raw in enumerate(body):
        line = " ".join(raw.split())
        if not line:
            paragraph = None
            continue
        if paragraph is not None and blank_separated and not _LIST_MARKER.match(line):
            paragraph.append(line)
            blocks[-1] = Block(PARAGRAPH, " ".join(paragraph))
            continue
        if blocks and blocks[-1].kind == ITEM and raw[:1].isspace() and not _LIST_MARKER.match(line):
            blocks[-1] = Block(ITEM, f"{blocks[-1].text} {line}")
            continue
        paragraph = None
        following = " ".join(body[n + 1].split()) if n + 1 < len(body) else ""
        # With blank-line paragraphs, a heading-like line whose next line continues its
        # sentence (starts in lowercase) is the first line of a wrapped paragraph.
        wrapped = blank_separated and following[:1].islower()
        if _LIST_MARKER.match(line):
            blocks.append(Block(ITEM, _LIST_MARKER.sub("", line, count=1)))
        elif _is_question(line):
            blocks.append(Block(QUESTION, line))
        elif looks_like_heading(line) and not wrapped:
            blocks.append(Block(HEADING, line.rstrip(":"), 2))
        else:
            paragraph = [line]
            blocks.append(Block(PARAGRAPH, line))
    return blocks


def looks_like_heading(line: str) -> bool:
    """True for a short line with a letter that does not end like a sentence.

    A trailing colon is allowed only on a very short line (``Sources:``).
    """
    line = line.strip()
    if not line or len(line) > MAX_HEADING_CHARS or len(line.split()) > MAX_HEADING_WORDS:
        return False
    if not any(ch.isalpha() for ch in line):
        return False
    if line.endswith(":"):
        return len(line.split()) <= 3
    return line[-1] not in _SENTENCE_END and line[-1] != ","


def _is_question(line: str) -> bool:
    """A single short sentence ending in a question mark."""
    return line.endswith("?") and len(line) <= MAX_QUESTION_CHARS and not _INNER_SENTENCE_BREAK.search(line[:-1])


def _heading_or_question(text: str, level: int) -> Block:
    """A sub-heading that asks a short question (``### How often?``) is an FAQ question."""
    if level > 1 and _is_question(text):
        return Block(QUESTION, text)
    return Block(HEADING, text, level)


def _paragraph_or_question(text: str) -> Block:
    """A Markdown/HTML paragraph that is only a short question is an FAQ question."""
    if "\n" not in text and _is_question(text):
        return Block(QUESTION, text)
    return Block(PARAGRAPH, text)


class _HtmlBlockReader(HTMLParser):
    """Collects the text of sanitised HTML into blocks, one per block-level element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[Block] = []
        self._stack: list[str] = []
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self._buffer.append(_LINE_BREAK)
        elif tag in _BLOCK_TAGS:
            self._flush()
            self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self._flush()
            if tag in self._stack:
                del self._stack[len(self._stack) - 1 - self._stack[::-1].index(tag) :]

    def handle_data(self, data: str) -> None:
        self._buffer.append(data)

    def close(self) -> None:
        super().close()
        self._flush()

    def _flush(self) -> None:
        raw = "".join(self._buffer)
        self._buffer.clear()
        lines = [" ".join(part.split()) for part in raw.split(_LINE_BREAK)]
        text = "\n".join(line for line in lines if line)
        if not text:
            return
        tag = next((t for t in reversed(self._stack) if t in _KIND_OF_TAG), "")
        if tag.startswith("h") and tag[1:].isdigit():
            self.blocks.append(_heading_or_question(" ".join(text.split()), int(tag[1])))
        elif tag == "dt":
            one_line = " ".join(text.split())
            question = _is_question(one_line)
            self.blocks.append(Block(QUESTION, one_line) if question else Block(HEADING, one_line, 4))
        elif tag == "li":
            self.blocks.append(Block(ITEM, text))
        else:
            self.blocks.append(_paragraph_or_question(text))


_KIND_OF_TAG: Final = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "dt", "li"})
#: Marks a ``<br>`` while other whitespace, newlines included, is collapsed.
_LINE_BREAK: Final = "\u2028"
