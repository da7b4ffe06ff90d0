"""Compiled rules: an index keyed by concept combinations, with targets resolved to catalog items.

Cost per request depends on what the description mentions, not on how many
rules exist. Each rule is filed under the sorted tuple of its ``all`` concepts
(a rule with ``any`` once per ``all ∪ {a}``); a query enumerates the subsets
of the shopper's concepts of the sizes present in the index and looks each
up. Keys longer than ``MAX_KEY_SIZE`` are filed under their rarest concepts
and the rest is checked on lookup. Rules without a positive condition are a
short separate list. There is one index per locale, so rules for another
locale are never looked at. Targets that don't exist, and products that are
inactive or out of stock, are dropped here, so they can never be recommended.

    compiled = compile_rules(rules, catalog, revision=3)
    compiled.candidates(profile.concepts, "en")
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import combinations
from typing import Any, TypeVar

from shop_reco import vocabulary
from shop_reco.recommending.catalog import Catalog, ExerciseItem, ProductItem, SectionItem, text_for
from shop_reco.recommending.rules import Boost, ItemRef, Pin, Rule, shared_codes

T = TypeVar("T")

#: Longest concept combination enumerated at query time; longer keys use a full check.
MAX_KEY_SIZE = 3
#: The index holding every rule whatever its locales (for the admin and tests).
ANY_LOCALE = "*"
#: Entries one :meth:`CompiledRules.cached` table holds before it is emptied and filled again.
CACHED_ENTRIES = 4096

Key = tuple[str, ...]


@dataclass(frozen=True, slots=True, eq=False)
class CompiledRule:
    """A rule ready to score: targets resolved, weights scaled by ``1 + priority/1000``."""

    rule: Rule
    key: str
    name: str
    priority: int
    order: int
    weights: tuple[tuple[ItemRef, float], ...]
    #: per-target localized "why" texts given in the rule (e.g. "Support during daily activity")
    target_reasons: Mapping[ItemRef, Mapping[str, str]]
    pins: tuple[Pin, ...]
    boosts: tuple[Boost, ...]
    excludes: frozenset[ItemRef]
    sorted_all: tuple[str, ...]
    any_concepts: frozenset[str]
    #: the rule gives avoid advice or a note
    advises: bool
    #: filed under more than one key (``any`` concepts): a lookup can meet it twice
    multi_key: bool
    #: no condition beyond concepts and locale, and applies at safety level ``none``
    simple: bool

    def matched_concepts(self, concepts: frozenset[str]) -> tuple[str, ...]:
        """The shopper's concepts that made this rule fire, ``all`` first then ``any``."""
        any_ = self.any_concepts
        return self.sorted_all + tuple(sorted(any_ & concepts)) if any_ else self.sorted_all


@dataclass(frozen=True, slots=True)
class Lookup:
    """What a lookup found, and how many filed rules it looked at (the work, which tests count)."""

    rules: list[CompiledRule]
    examined: int


@dataclass(frozen=True, slots=True, eq=False)
class RuleIndex:
    """Rules filed by concept combination, for one locale."""

    catch_all: tuple[CompiledRule, ...]
    #: sorted concepts -> (rules whose key is exactly these concepts,
    #: (the key's other concepts, rule) for longer keys filed under their rarest concepts)
    buckets: Mapping[Key, tuple[tuple[CompiledRule, ...], tuple[tuple[frozenset[str], CompiledRule], ...]]]
    key_sizes: tuple[int, ...]
    concepts: frozenset[str]

    def lookup(self, concepts: frozenset[str]) -> Lookup:
        present = sorted(c for c in concepts if c in self.concepts)
        out = list(self.catch_all)
        examined = len(out)
        buckets = self.buckets
        for size in self.key_sizes:
            if size > len(present):
                break
            for combo in combinations(present, size):
                bucket = buckets.get(combo)
                if bucket is None:
                    continue
                exact, longer = bucket
                if exact:
                    out.extend(exact)
                    examined += len(exact)
                if longer:
                    examined += len(longer)
                    for rest, cr in longer:
                        if rest <= concepts:
                            out.append(cr)
        return Lookup(out, examined)


@dataclass(frozen=True, slots=True, eq=False)
class CompiledRules:
    """Everything ``recommend`` needs: the rule index plus catalog lookups, immutable per revision."""

    catalog: Catalog
    revision: int
    rules: tuple[CompiledRule, ...]
    #: one index per locale, plus ``ANY_LOCALE`` holding every rule
    indexes: Mapping[str, RuleIndex]
    #: ``article#anchor`` -> {locale: section}
    sections: Mapping[str, Mapping[str, SectionItem]]
    #: article slug -> locale -> sections in reading order
    articles: Mapping[str, Mapping[str, tuple[SectionItem, ...]]]
    #: item -> the rules that recommend or pin it (for pairings)
    targeting: Mapping[ItemRef, tuple[CompiledRule, ...]]
    #: concept -> SKUs of available products tagged with it (for article pages)
    products_by_concept: Mapping[str, tuple[str, ...]]
    _explainers: dict[tuple[ItemRef, str], str | None] = field(default_factory=dict)
    _memo: dict[Hashable, Any] = field(default_factory=dict)

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """A value derived only from this revision's data, made once (e.g. a reason's fixed text).

        The compiled rules are rebuilt when the revision changes, so nothing here goes stale.
        """
        try:
            return self._memo[key]
        except KeyError:
            value = self._memo[key] = make()
            return value

    def cached(self, table: str, key: Hashable, make: Callable[[], T], *, size: int = CACHED_ENTRIES) -> T:
        """A value made from this revision's data and a few small inputs (an item's reasons, a
        screen's questions), kept per ``key`` in the bounded ``table``.

        Like :meth:`memo`, it goes when the revision changes; a table that reaches
        ``size`` entries is emptied, so odd inputs cannot make it grow without bound.
        """
        entries: dict[Hashable, Any] = self.memo(("cached", table), dict)
        try:
            return entries[key]
        except KeyError:
            pass
        value = make()
        if len(entries) >= size:
            entries.clear()
        entries[key] = value
        return value

    def validity_epoch(self, now: datetime) -> int:
        """Which stretch between rules' validity boundaries ``now`` falls in.

        The set of rules in force changes only at a ``valid_from``/``valid_until``
        boundary, so two moments with the same epoch fire the same rules.
        """
        bounds: list[datetime] = self.memo(
            ("validity_bounds",),
            lambda: sorted(
                {t for cr in self.rules for t in (cr.rule.valid_from, cr.rule.valid_until) if t is not None}
            ),
        )
        return bisect_right(bounds, now) if bounds else 0

    def lookup(self, concepts: frozenset[str], locale: str | None = None) -> Lookup:
        """Rules whose concept conditions hold for ``concepts``, in ``locale`` (None: any locale)."""
        index = self.indexes.get(locale or ANY_LOCALE) or self.indexes[ANY_LOCALE]
        return index.lookup(concepts)

    def candidates(self, concepts: frozenset[str], locale: str | None = None) -> list[CompiledRule]:
        """The rules of :meth:`lookup` (a rule with ``any`` concepts may appear more than once)."""
        return self.lookup(concepts, locale).rules

    def exercise(self, slug: str) -> ExerciseItem | None:
        return self.catalog.exercises.get(slug)

    def product(self, sku: str) -> ProductItem | None:
        """The product if it may be shown (active and in stock), else None."""
        item = self.catalog.products.get(sku)
        return item if item is not None and item.available else None

    def section(self, section_id: str, locale: str) -> SectionItem | None:
        """The ``article#anchor`` section in ``locale``, else English, else any locale."""
        by_locale = self.sections.get(section_id)
        if not by_locale:
            return None
        return by_locale.get(locale) or by_locale.get("en") or next(iter(by_locale.values()))

    def explainer(self, ref: ItemRef, locale: str) -> SectionItem | None:
        """The article section sharing the most concepts with an item.

        Ties go to the section whose prose names the item, then to the earlier section.
        """
        cache_key = (ref, locale)
        if cache_key not in self._explainers:
            self._explainers[cache_key] = self._find_explainer(ref, locale)
        found = self._explainers[cache_key]
        return self.section(found, locale) if found else None

    def _find_explainer(self, ref: ItemRef, locale: str) -> str | None:
        item = self.exercise(ref.id) if ref.type == "exercise" else self.catalog.products.get(ref.id)
        if item is None or not item.concepts:
            return None
        words = name_words(text_for(item.text, locale).get("name"))
        best: tuple[int, int, int, str] | None = None
        for section_id in self.sections:
            section = self.section(section_id, locale)
            if section is None:
                continue
            shared = len(item.concepts & section.concepts)
            if shared == 0:
                continue
            prose = f"{section.heading} {section.body}".lower()
            mentions = sum(1 for w in words if w in prose)
            rank = (-shared, -mentions, section.position, section_id)
            if best is None or rank < best:
                best = rank
        return best[3] if best else None


def name_words(name: object) -> list[str]:
    """Stems of an item's name (words of 4+ letters, a plural 's' dropped) to spot in section prose."""
    if not isinstance(name, str):
        return []
    words = (w.strip(".,:;()'\"’-").lower() for w in name.split())
    return [w[:-1] if w.endswith("s") else w for w in words if len(w) >= 4]


def _resolve(ref: ItemRef, catalog: Catalog, section_ids: Mapping[str, object]) -> bool:
    if ref.type == "exercise":
        return ref.id in catalog.exercises
    if ref.type == "product":
        product = catalog.products.get(ref.id)
        return product is not None and product.available
    return ref.id in section_ids


def _keys(rule: Rule) -> list[frozenset[str]]:
    c = rule.conditions
    if not c.any:
        return [c.all] if c.all else []
    return [c.all | {a} for a in sorted(c.any)]


def _build_index(rules: Iterable[CompiledRule], frequency: Counter[str]) -> RuleIndex:
    catch_all: list[CompiledRule] = []
    exact: dict[Key, dict[int, CompiledRule]] = {}
    overflow: dict[Key, list[tuple[frozenset[str], CompiledRule]]] = {}
    for cr in rules:
        keys = _keys(cr.rule)
        if not keys:
            catch_all.append(cr)
        for key in keys:
            if len(key) <= MAX_KEY_SIZE:
                exact.setdefault(tuple(sorted(key)), {})[cr.order] = cr
                continue
            # File under the rarest concepts: few rules share them; the rest is checked on lookup.
            rarest = sorted(key, key=lambda c: (frequency[c], c))[:MAX_KEY_SIZE]
            overflow.setdefault(tuple(sorted(rarest)), []).append((shared_codes(key.difference(rarest)), cr))
    filed = {*exact, *overflow}
    return RuleIndex(
        catch_all=tuple(catch_all),
        buckets={k: (tuple(exact.get(k, {}).values()), tuple(overflow.get(k, ()))) for k in filed},
        key_sizes=tuple(sorted({len(k) for k in filed})),
        concepts=frozenset(c for k in filed for c in k),
    )


def compile_rules(rules: Iterable[Rule], catalog: Catalog, *, revision: int = 0) -> CompiledRules:
    """Index active ``rules`` against ``catalog``; cost grows with rules, queries do not.

    Inactive rules are left out. Targets missing from the catalog, and
    products that are inactive or out of stock, are dropped.
    """
    sections: dict[str, dict[str, SectionItem]] = {}
    articles: dict[str, dict[str, list[SectionItem]]] = {}
    for s in catalog.sections:
        sections.setdefault(f"{s.article}#{s.anchor}", {})[s.locale] = s
        articles.setdefault(s.article, {}).setdefault(s.locale, []).append(s)

    active = [r for r in rules if r.active]
    frequency: Counter[str] = Counter()
    for rule in active:
        for key in _keys(rule):
            frequency.update(key)

    canonical: dict[ItemRef, ItemRef] = {}  # one ItemRef object per item, shared by all rules
    compiled: list[CompiledRule] = []
    for order, rule in enumerate(active):
        a, c = rule.actions, rule.conditions
        factor = 1 + rule.priority / 1000
        weights: dict[ItemRef, float] = {}
        for t in a.targets:
            if _resolve(t.ref, catalog, sections):
                ref = canonical.setdefault(t.ref, t.ref)
                weights[ref] = weights.get(ref, 0.0) + t.weight * factor
        simple = (
            rule.valid_from is None
            and rule.valid_until is None
            and not c.none
            and not c.severity
            and c.min_duration_weeks is None
            and c.max_duration_weeks is None
            and c.safety == {vocabulary.NONE}
        )
        compiled.append(
            CompiledRule(
                rule=rule,
                key=rule.key,
                name=rule.name,
                priority=rule.priority,
                order=order,
                weights=tuple(weights.items()),
                target_reasons={t.ref: t.reason for t in a.targets if t.reason and t.ref in weights},
                pins=tuple(p for p in a.pin if _resolve(p.ref, catalog, sections)),
                boosts=tuple(b for b in a.boost if _resolve(b.ref, catalog, sections)),
                excludes=frozenset(a.exclude),
                sorted_all=tuple(sorted(c.all)),
                any_concepts=c.any,
                advises=bool(a.avoid or a.note),
                multi_key=len(c.any) > 1,
                simple=simple,
            )
        )
    indexes = {
        loc: _build_index(
            [cr for cr in compiled if loc == ANY_LOCALE or not cr.rule.locales or loc in cr.rule.locales],
            frequency,
        )
        for loc in (*vocabulary.LOCALES, ANY_LOCALE)
    }

    targeting: dict[ItemRef, dict[int, CompiledRule]] = {}
    for cr in compiled:
        for ref in [ref for ref, _ in cr.weights] + [p.ref for p in cr.pins]:
            targeting.setdefault(ref, {})[cr.order] = cr

    by_concept: dict[str, list[str]] = {}
    for sku, product in catalog.products.items():
        if product.available:
            for concept in product.concepts:
                by_concept.setdefault(concept, []).append(sku)

    return CompiledRules(
        catalog=catalog,
        revision=revision,
        rules=tuple(compiled),
        indexes=indexes,
        sections=sections,
        articles={
            a: {loc: tuple(sorted(ss, key=lambda s: s.position)) for loc, ss in by.items()}
            for a, by in articles.items()
        },
        targeting={ref: tuple(by.values()) for ref, by in targeting.items()},
        products_by_concept={c: tuple(skus) for c, skus in by_concept.items()},
    )
