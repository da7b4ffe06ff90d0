"""Lexicon data: the shipped files cover the vocabulary; bad data fails naming the field."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from shop_reco import vocabulary
from shop_reco.understanding import Analyzer, LexiconError, shipped_lexicons


@pytest.mark.parametrize("locale", vocabulary.LOCALES)
def test_every_concept_has_words_in_every_shipped_lexicon(locale: str) -> None:
    concepts = shipped_lexicons()[locale]["concepts"]
    for group, codes in vocabulary.GROUPS.items():
        for code in codes:
            # Numbness, tingling and weakness are red flags through their symptom phrases.
            source = "symptom" if group == "red_flag" and code in vocabulary.SYMPTOMS else group
            assert concepts.get(source, {}).get(code), f"{locale}: no phrases for {group}:{code}"


def minimal(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"concepts": {"area": {"hip": ["hip"]}}}
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (minimal(concepts={"area": {"knee": ["knee"]}}), r"unknown area code 'knee'"),
        (minimal(concepts={"body": {"hip": ["hip"]}}), r"unknown concept group 'body'"),
        (minimal(concepts={"area": {"hip": ["h*p"]}}), r"concepts\.area\.hip\[0\].*'\*' goes at the start"),
        (minimal(concepts={"area": {"hip": ["@joints"]}}), r"no set named 'joints'"),
        (minimal(concepts={"area": {"hip": ["... hip"]}}), r"cannot start or end with a gap"),
        (minimal(concepts={"area": {"hip": "hip"}}), r"concepts\.area\.hip must be a list"),
        (minimal(context={"negations": ["no"]}), r"unknown keys \['negations'\]"),
        (minimal(quantities={"numbers": {"two": "2"}}), r"quantities\.numbers\['two'\] must be a number"),
        (minimal(settings={"gap": 99}), r"settings\.gap must be a whole number"),
        ({"concept": {}}, r"missing \['concepts'\]"),
        (minimal(locale="sv"), r"'locale' field says 'sv'"),
        (minimal(sets={"joints": ["@hips"]}), r"sets cannot refer to sets"),
        (minimal(functions={"pain": ["pee"]}), r"unknown red flag 'pain' under 'functions'"),
        (minimal(functions={"bladder_bowel": "pee"}), r"functions\.bladder_bowel must be a list"),
    ],
)
def test_bad_lexicon_data_names_the_field(data: dict[str, Any], message: str) -> None:
    with pytest.raises(LexiconError, match=message):
        Analyzer.from_data({"en": data})


def test_a_minimal_lexicon_works() -> None:
    analyzer = Analyzer.from_data({"en": minimal()})
    assert analyzer.analyze("My hip.").areas == ("hip",)
    assert analyzer.locales == ("en",)


def test_shipped_lexicons_are_fresh_copies() -> None:
    first = shipped_lexicons()
    first["en"]["concepts"]["area"]["hip"].clear()
    assert shipped_lexicons()["en"]["concepts"]["area"]["hip"]


def test_a_lexicon_can_be_edited_as_data() -> None:
    data = copy.deepcopy(shipped_lexicons())
    data["en"]["concepts"]["trigger"]["sitting"].append("zoom meetings")
    analyzer = Analyzer.from_data(data)
    assert analyzer.analyze("Back pain after zoom meetings.", "en").triggers == ("sitting",)
