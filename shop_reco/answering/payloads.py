"""The served JSON, built from the core's records in one place: the API, the widgets and the CLI use it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from shop_reco import vocabulary
from shop_reco.answering.answers import Answer, EncodingKey
from shop_reco.answering.encoding import dumps
from shop_reco.recommending import (
    CompiledRules,
    ExerciseItem,
    ProductItem,
    RankedItem,
    Reason,
    Recommendation,
    SectionItem,
    UnknownItemError,
    pairings_for_product,
    products_for_sections,
    text_for,
)
from shop_reco.recommending.results import shopper_text
from shop_reco.recommending.safety import disclaimer
from shop_reco.recommending.screening import ScreenBlock, scope_message
from shop_reco.understanding import Profile


def reasons(why: Iterable[Reason]) -> list[dict[str, Any]]:
    return [r.as_dict() for r in why]


def exercise_payload(item: ExerciseItem, locale: str, why: Iterable[Reason] = ()) -> dict[str, Any]:
    why = tuple(why)
    text = text_for(item.text, locale)
    dose = dict(item.dose)
    dose["text"] = text.get("dose")
    return {
        "slug": item.slug,
        "name": text.get("name", item.slug),
        "kind": item.kind,
        "summary": text.get("summary", ""),
        "steps": list(text.get("steps", [])),
        "cues": list(text.get("cues", [])),
        "cautions": list(text.get("cautions", [])),
        "dose": dose,
        "weekly_frequency": dict(item.weekly_frequency),
        "target_areas": list(item.target_areas),
        "sources": list(item.sources),
        "reason": shopper_text(why),  # the sentence a shopper reads; why is the trace
        "why": reasons(why),
    }


def product_payload(item: ProductItem, locale: str, cart_template: str, why: Iterable[Reason] = ()) -> dict[str, Any]:
    why = tuple(why)
    text = text_for(item.text, locale)
    return {
        "sku": item.sku,
        "name": text.get("name", item.sku),
        "description": text.get("description", ""),
        "url": item.url,
        "cart_url": cart_template.replace("{sku}", item.sku),
        "price": item.price,
        "currency": item.currency,
        "image_url": item.image_url,
        "reason": shopper_text(why),  # the sentence a shopper reads; why is the trace
        "why": reasons(why),
    }


def section_payload(item: SectionItem, why: Iterable[Reason] = (), article_url: str | None = None) -> dict[str, Any]:
    why = tuple(why)
    return {
        "article": item.article,
        "anchor": item.anchor,
        "heading": item.heading,
        "url": f"{article_url or ''}#{item.anchor}",
        "reason": shopper_text(why),  # the sentence a shopper reads; why is the trace
        "why": reasons(why),
    }


def profile_payload(profile: Profile | None, locale: str) -> dict[str, Any]:
    if profile is None:
        return {
            "locale": locale,
            "areas": [],
            "symptoms": [],
            "triggers": [],
            "side": None,
            "severity": None,
            "duration_weeks": None,
            "matches": [],
        }
    return {
        "locale": profile.locale,
        "areas": list(profile.areas),
        "symptoms": list(profile.symptoms),
        "triggers": list(profile.triggers),
        "side": profile.side,
        "severity": profile.severity,
        "duration_weeks": profile.duration_weeks,
        "matches": [dict(zip(MATCH_KEYS, m)) for m in profile.matches],  # noqa: B905  # the first eight
    }


#: What a match shows: ``Match``'s fields in their order, up to ``hypothetical`` (``historical`` is
#: not shown). A test holds the two to the same order.
MATCH_KEYS = ("group", "code", "phrase", "start", "end", "negated", "experiencer", "hypothetical")


def answer_payload(
    answer: Answer,
    *,
    cart_template: str,
    article_template: str,
    contacts: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The body of ``POST /recommendations`` (see ``RecommendationResponseSchema``)."""
    return {
        **_answer_head(answer),
        **recommendation_payload(
            answer.recommendation, cart_template=cart_template, article_template=article_template, contacts=contacts
        ),
    }


def urgent_contacts(contacts: Mapping[str, Sequence[Mapping[str, Any]]] | None, locale: str) -> list[dict[str, Any]]:
    """``SHOP_RECO_URGENT_CONTACTS`` of ``locale`` (else English) with a ``tel:`` link for each number.

    >>> urgent_contacts({"sv": [{"label": "Ring 112", "number": "112"}]}, "sv")
    [{'label': 'Ring 112', 'number': '112', 'href': 'tel:112'}]
    """
    entries = (contacts or {}).get(locale) or (contacts or {}).get("en") or ()
    out = []
    for entry in entries:
        number = entry.get("number")
        href = "tel:" + "".join(ch for ch in number if ch.isdigit() or ch == "+") if number else None
        out.append({"label": entry["label"], "number": number, "href": href})
    return out


def scope_payload(answer: Answer) -> dict[str, Any]:
    """Whether the text was understood; if not, what we cover and how to say more (never mutate)."""
    return _scope(_vague_in(answer))


def _vague_in(answer: Answer) -> str | None:
    """The locale to tell a vague text what we cover in; None when the text was understood."""
    vague = not answer.understood and not answer.recommendation.degraded
    return answer.recommendation.locale if vague else None


@lru_cache(maxsize=16)
def _scope_json(vague_in: str | None) -> bytes:
    return dumps(_scope(vague_in))


@lru_cache(maxsize=16)
def _scope(vague_in: str | None) -> dict[str, Any]:
    """The scope block: understood (None), or vague, told in that locale."""
    return {
        "understood": vague_in is None,
        "message": None if vague_in is None else scope_message(vague_in),
        "areas": list(vocabulary.AREAS),
    }


def answer_json(
    answer: Answer,
    *,
    cart_template: str,
    article_template: str,
    contacts: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> bytes:
    """:func:`answer_payload` as JSON bytes, for the API.

    The recommendation's part is encoded once per memoized recommendation (it is
    most of the body) and joined to this answer's own id and analysis.
    """
    key = EncodingKey(cart_template, article_template)
    encoded = answer.derived.encoded
    members = encoded.get(key)
    if members is None:  # kept without its opening brace: the answer is then made in one copy
        payload = recommendation_payload(
            answer.recommendation, cart_template=cart_template, article_template=article_template, contacts=contacts
        )
        members = encoded[key] = dumps(payload)[1:]
    head = dumps(_answer_own(answer))
    screen = b"null" if answer.screening is None else _screen_json(answer.screening)
    scope = _scope_json(_vague_in(answer))
    return b"".join((memoryview(head)[:-1], b',"screening":', screen, b',"scope":', scope, b",", members))


def _answer_head(answer: Answer) -> dict[str, Any]:
    return {
        **_answer_own(answer),
        "screening": answer.screening.as_dict() if answer.screening is not None else None,
        "scope": scope_payload(answer),
    }


def _answer_own(answer: Answer) -> dict[str, Any]:
    """What is this answer's alone: its id, its rules, its locale, its analysis and its variant."""
    rec = answer.recommendation
    return {
        "id": answer.id,
        "rules_version": rec.rules_revision,
        "locale": rec.locale,
        "profile": profile_payload(answer.profile, rec.locale),
        "experiment": None
        if answer.experiment is None
        else {"key": answer.experiment.experiment, "variant": answer.experiment.variant},
    }


@lru_cache(maxsize=1024)
def _screen_json(block: ScreenBlock) -> bytes:
    """A screen block's JSON; blocks are shared per combination (and hash by identity), so each
    is encoded once."""
    return dumps(block.as_dict())


def recommendation_payload(
    rec: Recommendation,
    *,
    cart_template: str,
    article_template: str,
    contacts: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
) -> dict[str, Any]:
    """What an answer shows, without the answer's id and analysis; an urgent one says whom to call."""
    loc = rec.locale

    def items(ranked: Iterable[RankedItem[Any]], build: Any) -> list[dict[str, Any]]:
        return [build(r) for r in ranked]

    return {
        "safety": {
            "level": rec.safety.level,
            "red_flags": [
                {"code": f.code, "level": f.level, "phrase": f.phrase, "source": f.source} for f in rec.safety.red_flags
            ],
            "message": rec.safety.message,
            "contacts": urgent_contacts(contacts, loc) if rec.safety.level == "urgent" else [],
        },
        "exercises": items(rec.exercises, lambda r: exercise_payload(r.item, loc, r.why)),
        "products": items(rec.products, lambda r: product_payload(r.item, loc, cart_template, r.why)),
        "sections": items(
            rec.sections, lambda r: section_payload(r.item, r.why, article_template.replace("{slug}", r.item.article))
        ),
        "avoid": [{"code": a.code, "text": a.text} for a in rec.avoid],
        "notes": [n.text for n in rec.notes],
        "routine": None
        if rec.routine is None
        else {
            "sessions_per_week": {"min": rec.routine.sessions_min, "max": rec.routine.sessions_max},
            "balanced": rec.routine.balanced,
            "summary": rec.routine.summary,
        },
        "fallback": rec.fallback,
        "disclaimer": rec.disclaimer,
    }


def pairings_payload(
    sku: str, compiled: CompiledRules, locale: str, *, article_template: str, cart_template: str = ""
) -> dict[str, Any]:
    """The body of ``GET /products/<sku>/pairings``; raises ``UnknownItemError`` for an unknown SKU."""
    found = pairings_for_product(sku, compiled, locale)
    return {
        "sku": sku,
        "locale": locale,
        "rules_version": compiled.revision,
        "exercises": [exercise_payload(r.item, locale, r.why) for r in found["exercises"]],
        "sections": [
            section_payload(r.item, r.why, article_template.replace("{slug}", r.item.article))
            for r in found["sections"]
        ],
        "products": [product_payload(r.item, locale, cart_template, r.why) for r in found["products"]],
        "disclaimer": disclaimer(locale),
    }


def article_payload(
    record: dict[str, Any], compiled: CompiledRules, locale: str, *, cart_template: str
) -> dict[str, Any]:
    """The body of ``GET /articles/<slug>``: an ``article_record`` plus each section's products."""
    try:
        per_section = {s.anchor: products for s, products in products_for_sections(record["slug"], compiled, locale)}
    except UnknownItemError:
        per_section = {}
    return {
        **record,
        "sections": [
            {
                **s,
                "products": [
                    product_payload(r.item, locale, cart_template, r.why) for r in per_section.get(s["anchor"], [])
                ],
            }
            for s in record["sections"]
        ],
        "rules_version": compiled.revision,
    }
