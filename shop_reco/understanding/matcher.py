"""Find lexicon phrases in a token sequence with a token trie: leftmost, longest match.

The trie is a dict of dicts keyed by token keys: a normalised token (``back``),
a prefix stem (``stiff*``) or a suffix stem (``*cancer``). A token is turned
into the keys it can match once (and cached by the analyzer), so matching costs
one dict lookup per token and trie step, whatever the size of the lexicon.
Gaps (``groin ... numb``) let a pattern skip a few tokens inside one clause.

Swedish-style compounds are split into known parts ("ländryggsvärk" into
``ländrygg`` + ``värk``) so each part can match on its own.

A negation word that belongs to a red flag is not a negation of it: where a
longer negating cue ("jag har ingen", "I've had no") ends inside a red flag that
starts at one of its negation words ("ingen kontroll över blåsan", "no feeling
in my groin"), the red flag wins and the cue is dropped.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from itertools import compress
from typing import Any, Final

from shop_reco.understanding.context import finding_tail
from shop_reco.understanding.lexicon import CONCEPT, GAP, NEGATING_ROLES, SIDE, TERMINAL, Entry

#: What a phrase ending at a trie node means: its specificity (for ties between
#: equally long matches), its entries, and the same split for the analyzer's hot
#: loop: each concept as the tail of a finding (see ``context.finding_tail``),
#: then the other entries; last, whether it is only a negating cue ("har ingen").
Terminal = tuple[int, tuple[Entry, ...], tuple[tuple[Any, ...], ...], tuple[Entry, ...], bool]
#: A phrase found in the text: first unit, end unit (exclusive), what it means.
Hit = tuple[int, int, Terminal]
#: A trie node: token key -> child node, and ``TERMINAL`` -> Terminal.
Node = dict[str, Any]

#: A token (or walk) needing the full search: several keys, or a gap ahead.
COMPLEX: Final = object()

_EXACT_BONUS: Final = 1_000  # an exact token is more specific than any stem
_MIN_PART: Final = 3  # shortest compound part, in characters
_MAX_COMPOUND_PARTS: Final = 3
_INFLECTION_SLACK: Final = 3  # a stem that leaves this little over is an inflection
_MAX_COMPOUND_CHARS: Final = 40  # longer is no word, and splitting it would cost


class PhraseTrie:
    """A token trie of patterns, each ending in the entries it means."""

    def __init__(self, *, gap: int) -> None:
        self.root: Node = {}
        self.gap = gap
        self._exact: set[str] = set()
        self._prefixes: set[str] = set()
        self._suffixes: set[str] = set()
        self._spec: dict[str, int] = {GAP: 0}
        # Single-token concept and side patterns: the parts a compound can be made of.
        self._part_exact: set[str] = set()
        self._part_prefixes: set[str] = set()
        self._longest_prefix = 0
        self._longest_suffix = 0
        # Thousands of patterns mean the same few things: one Terminal per meaning.
        self._terminals: dict[tuple[int, tuple[Entry, ...]], Terminal] = {}
        self._frozen = False
        # Words that are a negating cue on their own ("no", "ingen"): where a red flag
        # may start inside a longer cue.
        self._negation_words: set[str] = set()

    def extended(self, patterns: Iterable[tuple[Sequence[str], Entry]]) -> PhraseTrie:
        """A new frozen trie: this one's patterns plus ``patterns``; this trie is unchanged.

        The new trie shares every node that ``patterns`` do not pass through, and copies only
        the ones they do (path copying), so a merchant's few synonyms cost a few copied dicts,
        not a second trie of the whole lexicon.
        """
        trie = copy.copy(self)
        trie.root = dict(self.root)
        trie._exact, trie._prefixes, trie._suffixes = set(self._exact), set(self._prefixes), set(self._suffixes)
        trie._spec = dict(self._spec)
        trie._part_exact, trie._part_prefixes = set(self._part_exact), set(self._part_prefixes)
        trie._terminals = {}
        trie._negation_words = set(self._negation_words)
        trie._frozen = False
        own = {id(trie.root)}  # nodes of the new trie's own, which it may change
        for keys, entry in patterns:
            trie.add(keys, entry, own=own)
        trie._terminals.clear()
        trie._frozen = True
        return trie

    def add(self, keys: Sequence[str], entry: Entry, *, own: set[int] | None = None) -> None:
        """Add one pattern (a sequence of token keys) meaning ``entry``.

        ``own`` (see :meth:`extended`): the ids of the nodes this trie may change; any other
        node on the pattern's path is shared with another trie and is copied first.
        """
        if self._frozen:
            raise RuntimeError("this trie is frozen: build a new one to add patterns")
        node = self.root
        spec = self._spec
        for key in keys:
            if own is None:
                node = node.setdefault(key, {})
            else:
                child = node.get(key)
                if child is None or id(child) not in own:
                    child = node[key] = {} if child is None else dict(child)
                    own.add(id(child))
                node = child
            if key in spec:
                continue
            if key.endswith("*"):
                self._prefixes.add(key[:-1])
                self._longest_prefix = max(self._longest_prefix, len(key) - 1)
                spec[key] = len(key) - 1
            elif key.startswith("*"):
                self._suffixes.add(key[1:])
                self._longest_suffix = max(self._longest_suffix, len(key) - 1)
                spec[key] = len(key) - 1
            else:
                self._exact.add(key)
                spec[key] = _EXACT_BONUS + len(key)
        # A node is reached by one key sequence only, so the specificity of the
        # pattern ending here is fixed: store it with the entries.
        terminal = node.get(TERMINAL)
        if terminal is None:
            terminal = node[TERMINAL] = self._terminal(sum(map(spec.__getitem__, keys)), (entry,))
        elif entry not in terminal[1]:
            terminal = node[TERMINAL] = self._terminal(terminal[0], (*terminal[1], entry))
        if len(keys) == 1:
            if terminal[4]:
                self._negation_words.add(keys[0])
            else:
                self._negation_words.discard(keys[0])
        if entry.role in (CONCEPT, SIDE) and len(keys) == 1:
            key = keys[0]
            if key.endswith("*"):
                self._part_prefixes.add(key[:-1])
            elif not key.startswith("*") and len(key) >= _MIN_PART:
                self._part_exact.add(key)

    def _terminal(self, spec: int, entries: tuple[Entry, ...]) -> Terminal:
        key = (spec, entries)
        terminal = self._terminals.get(key)
        if terminal is None:
            terminal = self._terminals[key] = _terminal(spec, entries)
        return terminal

    def freeze(self) -> None:
        """Share identical leaf nodes once every pattern is in (about a third of a trie's memory).

        Lookups are unchanged; :meth:`add` refuses afterwards, since a leaf may now
        end many patterns.
        """
        leaves: dict[int, Node] = {}
        stack = [self.root]
        while stack:
            node = stack.pop()
            for key, child in node.items():
                if key == TERMINAL:
                    continue
                if len(child) == 1 and TERMINAL in child:
                    node[key] = leaves.setdefault(id(child[TERMINAL]), child)
                else:
                    stack.append(child)
        self._terminals.clear()
        self._frozen = True

    def token_keys(self, token: str) -> tuple[str, ...]:
        """Every trie key ``token`` can match: itself, its prefix and suffix stems.

        Only prefixes and suffixes as long as the lexicon's stems are tried, so
        the cost is bounded even for a token of two thousand letters.
        """
        keys = [token] if token in self._exact else []
        n = len(token)
        if self._prefixes:
            top = min(n, self._longest_prefix)
            keys += [token[:i] + "*" for i in range(top, 1, -1) if token[:i] in self._prefixes]
        if self._suffixes:
            low = max(0, n - self._longest_suffix)
            keys += ["*" + token[i:] for i in range(low, n - 1) if token[i:] in self._suffixes]
        return tuple(keys)

    def split_compound(self, token: str, depth: int = 1) -> list[str] | None:
        """Known parts making up ``token`` ("höftsmärta" -> höft, smärta), or None.

        A part is a single-word concept or side pattern (exact or a prefix stem)
        of at least three letters ("vänsterhöften"); a linking "s" between parts
        is allowed. A token that a stem covers but for a short inflection is not
        split, and neither is one too long to be a word.
        """
        n = len(token)
        if token in self._exact or n < 2 * _MIN_PART or n > _MAX_COMPOUND_CHARS:
            return None
        if depth == 1 and self._longest_stem(token, self._prefixes) >= n - _INFLECTION_SLACK:
            return None
        for cut in range(n - _MIN_PART, _MIN_PART - 1, -1):
            head = token[:cut]
            if not self._is_part(head):
                continue
            for tail in (token[cut:], token[cut + 1 :] if token[cut] == "s" else ""):
                if len(tail) < _MIN_PART:
                    continue
                if self._is_part(tail):
                    return [head, tail]
                if depth < _MAX_COMPOUND_PARTS - 1:
                    rest = self.split_compound(tail, depth + 1)
                    if rest:
                        return [head, *rest]
        return None

    def _is_part(self, text: str) -> bool:
        return text in self._part_exact or self._longest_stem(text, self._part_prefixes) > 0

    def _longest_stem(self, token: str, stems: set[str]) -> int:
        """The length of the longest stem in ``stems`` that ``token`` starts with, or 0."""
        for i in range(min(len(token), self._longest_prefix), 1, -1):
            if token[:i] in stems:
                return i
        return 0

    def first_node(self, keys: tuple[str, ...]) -> Node | object | None:
        """Where a pattern starting with this token goes next: a trie node, ``COMPLEX``
        when the token has several keys, or None when no pattern starts with it."""
        starting = [key for key in keys if key in self.root]
        if len(starting) == 1:
            return self.root[starting[0]]
        return COMPLEX if starting else None

    def scan(
        self,
        keys: Sequence[tuple[str, ...]],
        singles: Sequence[str | object | None],
        firsts: Sequence[Node | object | None],
        stops: Sequence[int],
        stop_mask: int,
    ) -> list[Hit]:
        """Leftmost-longest, non-overlapping hits over a sequence of tokens.

        Per token, cached by the analyzer: ``keys`` (see :meth:`token_keys`),
        ``singles`` (the one key, ``COMPLEX`` for several, None for none) and
        ``firsts`` (see :meth:`first_node`). ``stops[i] & stop_mask`` marks tokens
        a gap may not skip (punctuation, "and", "or"): a gap stays in its clause.
        """
        hits: list[Hit] = []
        n = len(keys)
        covered = 0  # the end of the last hit
        for i in compress(range(n), firsts):  # the tokens some pattern starts with
            if i < covered:
                continue
            node: Any = firsts[i]
            if node is COMPLEX:
                best, end = self._search(keys, stops, stop_mask, [(self.root, i)], None, i, -1)
            else:
                # The common case, one key per token and no gap: a plain walk down
                # the trie; from a gap or a token with several keys on, a search.
                best, end = None, i
                k = i + 1
                while True:
                    terminal = node.get(TERMINAL)
                    if terminal is not None:
                        best, end = terminal, k
                    if k == n:
                        break
                    key = singles[k]
                    if key is COMPLEX or GAP in node:
                        spec = best[0] if best is not None else -1
                        best, end = self._search(keys, stops, stop_mask, [(node, k)], best, end, spec)
                        break
                    node = node.get(key)
                    if node is None:
                        break
                    k += 1
            if best is not None:
                if best[4] and end - i > 1:
                    inner = self._red_flag_inside(keys, stops, stop_mask, i, end)
                    if inner is not None:
                        hits.append(inner)
                        covered = inner[1]
                        continue
                hits.append((i, end, best))
                covered = end
        return hits

    def _red_flag_inside(
        self, keys: Sequence[tuple[str, ...]], stops: Sequence[int], stop_mask: int, i: int, end: int
    ) -> Hit | None:
        """A red flag starting at a negation word inside the cue ``[i, end)`` and going past it."""
        words = self._negation_words
        for k in range(i + 1, end):
            if words.isdisjoint(keys[k]):
                continue
            found, found_end = self._search(keys, stops, stop_mask, [(self.root, k)], None, k, -1)
            if found is not None and found_end > end and any(tail[3] for tail in found[2]):
                return (k, found_end, found)
        return None

    def _search(
        self,
        keys: Sequence[tuple[str, ...]],
        stops: Sequence[int],
        stop_mask: int,
        stack: list[tuple[Node, int]],
        best: Terminal | None,
        best_end: int,
        best_spec: int,
    ) -> tuple[Terminal | None, int]:
        """Depth-first from ``stack``: the longest (then most specific) match and its end."""
        n = len(keys)
        pop = stack.pop
        push = stack.append
        while stack:
            node, k = pop()
            terminal = node.get(TERMINAL)
            if terminal is not None and (k > best_end or (k == best_end and terminal[0] > best_spec)):
                best, best_end, best_spec = terminal, k, terminal[0]
            if k < n:
                for key in keys[k]:
                    child = node.get(key)
                    if child is not None:
                        push((child, k + 1))
            gap_node = node.get(GAP)
            if gap_node is not None:
                # Skip 0..gap tokens, never a clause boundary; go on only where the
                # pattern can continue (a gap node has no gap or end of its own).
                j = k
                while j < n:
                    if any(key in gap_node for key in keys[j]):
                        push((gap_node, j))
                    if j - k == self.gap or stops[j] & stop_mask:
                        break
                    j += 1
        return best, best_end


def _terminal(spec: int, entries: tuple[Entry, ...]) -> Terminal:
    concepts = tuple(finding_tail(e.group, e.code, e.flaggable) for e in entries if e.role == CONCEPT)
    others = tuple(e for e in entries if e.role != CONCEPT)
    return (spec, entries, concepts, others, all(e.role in NEGATING_ROLES for e in entries))
