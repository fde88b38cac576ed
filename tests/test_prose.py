"""What the notebooks' prose says, checked against what their run records decided.

The prose is the product's face, and it is typed by hand; the verdicts and figures it talks about
are computed. So every theme notebook's markdown is read here:

- **Verdicts.** A verdict word in backticks (`discrepancy`, `confirmed` …) states a verdict: the
  sentence holding it must name, in backticks, the claim(s) it is about, and the record must give
  that verdict to one of them (to each, in order, when a sentence pairs as many claims as
  verdicts). A verdict word meant generically ("can make a figure *consistent*") is written
  without backticks.
- **Figures.** Every number in the notebook's diagnosis prose (from its "The network and its
  diagnosis" heading to its questions) must be a number the run record holds: a figure as printed,
  a likely value, a reading, a reference, the Chinese original, or an end of a range the checks
  computed. Years and the numbers of the questions and exercises are not figures.

So editing a verdict or a figure in the prose, without the analysis agreeing, fails here.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

import nbformat
import pytest

from zjanalysis import records

ROOT = Path(__file__).resolve().parents[1]
THEME_NOTEBOOKS = sorted((ROOT / "notebooks").glob("0[1-8]_*.ipynb"))
VERDICTS = ("confirmed", "consistent", "discrepancy", "misleading", "unverifiable")

_VERDICT = re.compile(r"`(" + "|".join(VERDICTS) + r")`")
_CLAIM = re.compile(r"`([a-z]+\.[a-z0-9_]+_(?:19|20)\d\d)`")
# A number as prose prints it: 45.437, 5,877, 79.2, 4543.7 (not inside a word or an id).
_NUMBER = re.compile(r"(?<![A-Za-z0-9_.-])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?![A-Za-z0-9_-])")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z*(“\"`])")


def sentences(markdown: str) -> list[str]:
    """The sentences of a markdown text: a heading is one, a paragraph's line breaks are joined."""
    found = []
    for block in re.split(r"\n\s*\n|\n(?=#)|(?<=\n)(?=\d+\. )", markdown):
        if block.lstrip().startswith("#"):
            heading, _, rest = block.strip().partition("\n")
            found.append(heading)
            block = rest
        text = re.sub(r"\s*\n\s*", " ", block).strip()
        found += [s for s in _SENTENCE.split(text) if s.strip()]
    return found


def verdict_statements(markdown: str) -> list[tuple[str, list[str], list[str]]]:
    """(sentence, claim ids, verdicts) for each sentence that states a verdict."""
    found = []
    for sentence in sentences(markdown):
        verdicts = _VERDICT.findall(sentence)
        if verdicts:
            found.append((sentence, _CLAIM.findall(sentence), verdicts))
    return found


def wrong_verdicts(markdown: str, recorded: dict[str, str]) -> list[str]:
    """The sentences whose stated verdicts the record does not give (one line each, why)."""
    wrong = []
    for sentence, claims, verdicts in verdict_statements(markdown):
        if not claims:
            wrong.append(f"names no claim in backticks: {sentence}")
            continue
        unknown = [c for c in claims if c not in recorded]
        if unknown:
            wrong.append(f"names claims this notebook does not record ({unknown}): {sentence}")
            continue
        if len(claims) == len(verdicts):
            pairs = list(zip(claims, verdicts, strict=True))
            wrong += [
                f"says {c} is {v}, the record says {recorded[c]}: {sentence}"
                for c, v in pairs
                if recorded[c] != v
            ]
        else:
            given = {recorded[c] for c in claims}
            wrong += [
                f"says {v}, but the record gives {sorted(given)} to {claims}: {sentence}"
                for v in verdicts
                if v not in given
            ]
    return wrong


def numbers_in(text: str) -> list[str]:
    """The numbers a text prints, as written (commas dropped)."""
    return [whole.replace(",", "") + (frac or "") for whole, frac in _NUMBER.findall(text)]


def _value(number: str) -> Decimal | None:
    try:
        return Decimal(number).normalize()
    except InvalidOperation:
        return None


def record_numbers(record: dict) -> set[Decimal]:
    """Every number a run record holds: in its values and in the texts it carries, and the ends
    of every range, as printed to at most four decimals."""
    found: set[Decimal] = set()

    def walk(item):
        if isinstance(item, dict):
            for value in item.values():
                walk(value)
        elif isinstance(item, list):
            for value in item:
                walk(value)
        elif isinstance(item, bool) or item is None:
            return
        elif isinstance(item, (int, float)):
            for places in range(5):
                found.add(Decimal(str(round(item, places))).normalize())
        elif isinstance(item, str):
            found.update(v for v in map(_value, numbers_in(item)) if v is not None)

    walk(record)
    return found


def diagnosis_prose(nb) -> str:
    """The markdown from the "The network and its diagnosis" (or "verdicts") heading to the
    questions."""
    texts, inside = [], False
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        if re.search(r"^## The network and its (diagnosis|verdicts)", cell.source, re.M):
            inside = True
        if re.search(r"^## Questions for discussion", cell.source, re.M):
            texts.append(cell.source.split("## Questions for discussion")[0])
            break
        if inside:
            texts.append(cell.source)
    return "\n\n".join(texts)


def unknown_figures(prose: str, known: set[Decimal]) -> list[str]:
    """The numbers in ``prose`` that are not figures of the record (years aside)."""
    missing = []
    for number in numbers_in(prose):
        value = _value(number)
        if value is None or value in known:
            continue
        if re.fullmatch(r"(19|20)\d\d", number):  # a year
            continue
        missing.append(number)
    return missing


def _record(path: Path) -> dict:
    record = records.from_notebook(nbformat.read(path, as_version=4))
    assert record, f"{path.name} emits no run record"
    return record


# --- the checks, on hand-written examples ---------------------------------------------------


RECORDED = {"t.total_2018": "discrepancy", "t.rate_2018": "confirmed", "t.gap_2018": "misleading"}


def test_a_verdict_must_be_the_recorded_one_of_the_claim_it_names():
    good = "The diagnosis blames one figure, so `t.total_2018` is a `discrepancy`."
    assert wrong_verdicts(good, RECORDED) == []
    bad = "The diagnosis blames one figure, so `t.total_2018` is `consistent`."
    assert wrong_verdicts(bad, RECORDED) == [
        f"says t.total_2018 is consistent, the record says discrepancy: {bad}"
    ]


def test_claims_and_verdicts_pair_in_order_when_they_are_as_many():
    text = "Then `t.rate_2018` is `confirmed` and `t.gap_2018` is `misleading`."
    assert wrong_verdicts(text, RECORDED) == []
    swapped = "Then `t.rate_2018` is `misleading` and `t.gap_2018` is `confirmed`."
    assert len(wrong_verdicts(swapped, RECORDED)) == 2


def test_a_verdict_without_its_claim_is_refused_and_a_generic_one_is_not_read():
    assert wrong_verdicts("So the total is a `discrepancy`.", RECORDED) == [
        "names no claim in backticks: So the total is a `discrepancy`."
    ]
    assert wrong_verdicts("Agreement can make a figure *consistent*, never *confirmed*.", {}) == []


def test_a_claim_the_notebook_does_not_record_is_named():
    [why] = wrong_verdicts("`t.other_2018` is `confirmed`.", RECORDED)
    assert why.startswith("names claims this notebook does not record (['t.other_2018'])")


def test_sentences_split_at_full_stops_not_inside_numbers_and_at_headings():
    text = "It read 45.437 million.\nThen the rate\nholds. `x` too.\n## A head\nNext"
    assert sentences(text) == [
        "It read 45.437 million.",
        "Then the rate holds.",
        "`x` too.",
        "## A head",
        "Next",
    ]


def test_numbers_are_read_as_printed():
    text = "45.437 million, 5,877 people, 79.2%, 4543.7万, 01-ex4, netizens.total_2018 and 2017"
    assert numbers_in(text) == ["45.437", "5877", "79.2", "4543.7", "2017"]


def test_a_figure_the_record_does_not_hold_is_named_and_years_are_not_figures():
    record = {
        "claims": [{"stated": "45.537 million", "likely_value": "45.437", "value": 45.537}],
        "network": {"quantities": [{"interval": {"lo": 79.15, "hi": 79.25}}]},
    }
    known = record_numbers(record)
    assert unknown_figures("It read 45.437, not 45.537, in 2018; 79.15% to 79.25%.", known) == []
    assert unknown_figures("It read 45.438 instead.", known) == ["45.438"]
    assert unknown_figures("The rate was 79.3%.", known) == ["79.3"]


def test_a_number_the_record_computed_to_many_places_is_known_as_printed():
    known = record_numbers({"reconstructed": {"lo": 39.559000000000005}})
    assert unknown_figures("about 39.559 million", known) == []
    assert unknown_figures("about 39.56 million", known) == []  # two places: 39.56
    assert unknown_figures("about 39.6 million", known) == []
    assert unknown_figures("about 39.57 million", known) == ["39.57"]


# --- the checks, on the collection ------------------------------------------------------------


@pytest.mark.parametrize("path", THEME_NOTEBOOKS, ids=lambda p: p.stem)
def test_every_verdict_the_prose_states_is_the_recorded_one(path):
    record = _record(path)
    recorded = {c["claim_id"]: c["verdict"] for c in record["claims"]}
    nb = nbformat.read(path, as_version=4)
    prose = "\n\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert wrong_verdicts(prose, recorded) == []


@pytest.mark.parametrize("path", THEME_NOTEBOOKS, ids=lambda p: p.stem)
def test_the_diagnosis_prose_states_verdicts(path):
    """The diagnosis prose says what the verdicts are (so the check above has something to read)."""
    statements = verdict_statements(diagnosis_prose(nbformat.read(path, as_version=4)))
    assert statements, f"{path.name}: the diagnosis prose names no verdict"


@pytest.mark.parametrize("path", THEME_NOTEBOOKS, ids=lambda p: p.stem)
def test_every_figure_in_the_diagnosis_prose_is_in_the_record(path):
    record = _record(path)
    prose = diagnosis_prose(nbformat.read(path, as_version=4))
    assert prose, f"{path.name} has no 'The network and its diagnosis' (or verdicts) section"
    assert unknown_figures(prose, record_numbers(record)) == []


def test_a_likely_value_the_record_names_is_the_one_the_prose_gives():
    """Notebook 01's prose names the likely reading of the misprinted total; it must be the
    record's, not a number typed once and left behind."""
    path = ROOT / "notebooks" / "01_internet_users.ipynb"
    record = _record(path)
    likely = {c["claim_id"]: c["likely_value"] for c in record["claims"] if c["likely_value"]}
    prose = diagnosis_prose(nbformat.read(path, as_version=4))
    for claim_id, value in likely.items():
        assert value in numbers_in(prose), (claim_id, value)


def test_the_record_numbers_survive_a_json_round_trip():
    record = _record(THEME_NOTEBOOKS[0])
    assert record_numbers(json.loads(json.dumps(record))) == record_numbers(record)
