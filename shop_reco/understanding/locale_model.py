"""One locale's compiled lexicon: its phrase trie, word flags and per-token cache.

Everything the analyzer needs to know about a token (its trie keys, where a
phrase starting with it goes, its context flags, its compound parts) is worked
out once per distinct token and cached, so analysing a description costs one
dictionary lookup per token before matching starts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final

from shop_reco.understanding import context as ctx
from shop_reco.understanding.lexicon import CONCEPT, SYMPTOM_RED_FLAGS, Entry, Lexicon
from shop_reco.understanding.matcher import COMPLEX, PhraseTrie

_MAX_CACHED_TOKENS: Final = 50_000
_MAX_CACHED_CHARS: Final = 64  # longer tokens are no words a shopper repeats

# What one distinct token means to a locale: trie keys, single key and first trie
# node (see PhraseTrie.scan), flags and, for a split compound, each part's first three.
_TokenInfo = tuple[tuple[str, ...], Any, Any, int, tuple[tuple[tuple[str, ...], Any, Any], ...] | None]
_Units = tuple[Sequence[tuple[str, ...]], Sequence[Any], Sequence[Any], Sequence[int], list[int] | None]


class LocaleModel:
    """One locale's compiled trie, token flags and per-token cache."""

    __slots__ = ("lexicon", "trie", "word_flags", "cache", "known", "phrase_count")

    def __init__(self, lexicon: Lexicon, extra: Sequence[tuple[tuple[str, ...], Entry]] = ()) -> None:
        self.lexicon = lexicon
        self.trie = PhraseTrie(gap=lexicon.gap)
        self.phrase_count = len(lexicon.phrases) + len(extra)
        for keys, entry in _with_red_flags((*lexicon.phrases, *extra)):
            self.trie.add(keys, entry)
        self.trie.freeze()
        self._flag_words()

    def with_extra(self, extra: Sequence[tuple[tuple[str, ...], Entry]]) -> LocaleModel:
        """This model plus ``extra`` phrases (a merchant's synonyms), sharing this one's trie
        but for the nodes the new phrases pass through; this model is unchanged."""
        if not extra:
            return self
        model = object.__new__(LocaleModel)
        model.lexicon = self.lexicon
        model.trie = self.trie.extended(_with_red_flags(extra))
        model.phrase_count = self.phrase_count + len(extra)
        model.word_flags = self.word_flags  # never changed once made
        model.cache, model.known = {}, {}  # per trie
        return model

    def _flag_words(self) -> None:
        lexicon = self.lexicon
        words = lexicon.words
        marks: list[tuple[Iterable[str], int]] = [
            (ctx.SENTENCE_MARKS, ctx.SENT_END),
            (ctx.SOFT_MARKS, ctx.SOFT),
            (("?",), ctx.QUESTION),
            (ctx.ANSWER_MARKS, ctx.ANSWER_PUNCT),
            (words["first_person"], ctx.FIRST_PERSON),
            (words["presupposing"], ctx.PRESUPPOSING),
            (words["question_openers"], ctx.OPENER),
            (words["experiencer_verbs"], ctx.SUBJECT_VERB),
            (words["clause_joiners"], ctx.JOINER | ctx.GAP_STOP),
            (words["gap_stops"], ctx.GAP_STOP),
            (words["focus_words"], ctx.FOCUS),
            (words["loss_fillers"], ctx.LOSS_FILLER),
            (words["loss_blockers"], ctx.LOSS_BLOCKER),
            (words["articles"], ctx.ARTICLE),
            (words["duration_intros"], ctx.DURATION_INTRO),
            (lexicon.duration_blockers_before, ctx.BLOCKS_DURATION),
        ]
        self.word_flags: dict[str, int] = {}
        for tokens, flag in marks:
            for token in tokens:
                self.word_flags[token] = self.word_flags.get(token, 0) | flag
        self.cache: dict[str, _TokenInfo] = {}
        self.known: dict[str, bool] = {}  # see knows()

    def info(self, token: str) -> _TokenInfo:
        """What a token means to this locale (computed once, then cached)."""
        trie = self.trie
        flags = self.word_flags.get(token, 0)
        if token[0].isdigit():
            flags |= ctx.NUMBER
        parts = None
        if self.lexicon.compounds and token.isalpha():
            split = trie.split_compound(token)
            if split:
                parts = tuple(_unit(trie, trie.token_keys(part)) for part in split)
        keys, single, first = _unit(trie, trie.token_keys(token))
        info = (keys, single, first, flags, parts)
        if len(token) <= _MAX_CACHED_CHARS:
            if len(self.cache) >= _MAX_CACHED_TOKENS:
                self.cache.clear()  # bounded memory under arbitrary input
            self.cache[token] = info
        return info

    def knows(self, token: str) -> bool:
        """True when some phrase of this locale uses ``token`` (or a stem of it), for telling
        locales apart; cached apart from :meth:`info`, which would split every other
        locale's words as compounds."""
        known = self.known.get(token)
        if known is None:
            info = self.cache.get(token)
            known = bool(info[0] or info[4]) if info is not None else bool(self.trie.token_keys(token))
            if len(token) <= _MAX_CACHED_CHARS:
                if len(self.known) >= _MAX_CACHED_TOKENS:
                    self.known.clear()  # bounded memory under arbitrary input
                self.known[token] = known
        return known

    def units(self, norms: Sequence[str]) -> _Units:
        """Per unit: trie keys, single key, first trie node and flags; and, when compounds
        split, the token of each unit (else None: units are tokens)."""
        if not norms:
            return (), (), (), (), None
        infos: list[Any] = list(map(self.cache.get, norms))
        if None in infos:
            infos = [info or self.info(t) for t, info in zip(norms, infos, strict=True)]
        keys, singles, firsts, flags, parts = zip(*infos)  # noqa: B905  # five each; a keyword costs a slow call
        if not self.lexicon.compounds or not any(parts):
            return keys, singles, firsts, flags, None
        unit_keys: list[tuple[str, ...]] = []
        unit_singles: list[Any] = []
        unit_firsts: list[Any] = []
        unit_flags: list[int] = []
        token_of: list[int] = []
        for t, (token_keys, single, first, token_flags, token_parts) in enumerate(infos):
            for part_keys, part_single, part_first in token_parts or ((token_keys, single, first),):
                unit_keys.append(part_keys)
                unit_singles.append(part_single)
                unit_firsts.append(part_first)
                unit_flags.append(token_flags)
                token_of.append(t)
        return unit_keys, unit_singles, unit_firsts, unit_flags, token_of


def _with_red_flags(
    phrases: Iterable[tuple[tuple[str, ...], Entry]],
) -> Iterator[tuple[tuple[str, ...], Entry]]:
    """Each phrase, and again as a red flag where its symptom is one ("numb" is the numbness
    symptom and, when the shopper's own, a red flag)."""
    for keys, entry in phrases:
        yield keys, entry
        if entry.role == CONCEPT and entry.group == "symptom" and entry.code in SYMPTOM_RED_FLAGS:
            yield keys, Entry.concept("red_flag", entry.code)


def _unit(trie: PhraseTrie, keys: tuple[str, ...]) -> tuple[tuple[str, ...], Any, Any]:
    """A unit's keys, its single key (``COMPLEX`` for several, None for none), first node."""
    single = keys[0] if len(keys) == 1 else (COMPLEX if keys else None)
    return keys, single, trie.first_node(keys)
