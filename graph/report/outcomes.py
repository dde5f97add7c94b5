"""What a row's result text reports (its outcome): status, quantities, and the partners it names."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from welfare_kg.datafiles import load_yaml, normalize
from welfare_kg.errors import VocabularyError
from welfare_kg.paths import DATA_DIR

from .bodies import BodyVocabulary, PartnerVocabulary
from .records import STATUSES, Quantity

__all__ = [
    "DECISIONS",
    "StatusRules",
    "Units",
    "find_partners",
    "find_quantities",
    "judge_status",
    "judge_status_rule",
    "judge_status_with_confidence",
    "load_status_rules",
    "load_units",
    "status_confidence",
]


@dataclass(frozen=True)
class StatusRules:
    """Word patterns that mark a result as cancelled, postponed, reduced, done or ongoing, and
    sentences that only tell what was planned (no evidence of anything done)."""

    patterns: dict[str, tuple[re.Pattern[str], ...]]
    labels: dict[str, dict[str, str]]
    sentence_split: re.Pattern[str]
    confidence: dict[str, float]  # by the rule that decided (see `judge_status_rule`)


@cache
def load_status_rules(path: Path = DATA_DIR / "status.yaml") -> StatusRules:
    """The status vocabulary (data/status.yaml)."""
    data = load_yaml(path)
    try:
        patterns = {k: tuple(re.compile(p) for p in v) for k, v in data["patterns"].items()}
        patterns.setdefault("planned", ())  # optional: older vocabularies have none
        labels = data["statuses"]
        split = re.compile(data["sentence_split"])
        confidence = {str(k): float(v) for k, v in (data.get("confidence") or {}).items()}
    except (KeyError, TypeError, AttributeError, re.error) as exc:
        raise VocabularyError(f"{path}: malformed status vocabulary: {exc!r}") from exc
    missing = {"cancelled", "postponed", "reduced", "done", "ongoing"} - patterns.keys()
    if missing or set(labels) != set(STATUSES):
        raise VocabularyError(f"{path}: needs patterns {sorted(missing)} and statuses {STATUSES}")
    unknown = set(confidence) - set(DECISIONS)
    if unknown:
        raise VocabularyError(f"{path}: confidence for unknown decisions {sorted(unknown)}; "
                              f"known: {', '.join(DECISIONS)}")
    return StatusRules(patterns, labels, split, confidence)


# The decisions of `judge_status_rule`, strongest evidence first.
DECISIONS = ("cancelled", "cancelled_and_done", "postponed", "postponed_and_done",
             "reduced_and_done", "reduced_done_and_ongoing", "done", "done_and_ongoing",
             "ongoing", "quantity_only", "nothing")


def judge_status(result: str, rules: StatusRules | None = None) -> str:
    """The row's status from its result (see `judge_status_rule`)."""
    return judge_status_rule(result, rules)[0]


def status_confidence(result: str, rules: StatusRules | None = None) -> float:
    """How sure the status is: the confidence data/status.yaml gives the rule that decided
    (a status read from one kind of evidence is surer than one weighed between kinds)."""
    return judge_status_with_confidence(result, rules)[1]


def judge_status_with_confidence(result: str, rules: StatusRules | None = None
                                 ) -> tuple[str, float]:
    """`judge_status` and `status_confidence` from one reading of the result."""
    rules = rules or load_status_rules()
    status, decision = judge_status_rule(result, rules)
    return status, rules.confidence.get(decision, 1.0)


def judge_status_rule(result: str, rules: StatusRules | None = None) -> tuple[str, str]:
    """The row's status from its result, and the decision (one of DECISIONS) that gave it
    (decision order documented in data/status.yaml).

    >>> judge_status("新型コロナウイルス感染症の影響により、中止。")
    'cancelled'
    >>> judge_status("講演会は中止したが、チラシを配布した。")
    'partial'
    >>> judge_status("年24回実施し317人が参加。")
    'implemented'
    >>> judge_status("研修会を予定していたが、感染状況を考慮し中止となった。")
    'cancelled'
    >>> judge_status("地域の団体と情報共有している。")
    'implemented'
    """
    rules = rules or load_status_rules()
    sentences = [s for s in rules.sentence_split.split(normalize(result)) if s]

    def has(kind: str, sentence: str) -> bool:
        return any(p.search(sentence) for p in rules.patterns[kind])

    cancelled = [s for s in sentences if has("cancelled", s)]
    postponed = [s for s in sentences if has("postponed", s)]
    # Done evidence counts only from sentences that report no cancellation or postponement and
    # not merely what had been planned (予定していたが、… 中止).
    done = any(
        has("done", s) for s in sentences
        if s not in cancelled and s not in postponed and not has("planned", s)
    )
    ongoing = any(has("ongoing", s) for s in sentences)
    if cancelled:
        return ("partial", "cancelled_and_done") if done or postponed else (
            "cancelled", "cancelled")
    if postponed:
        return ("partial", "postponed_and_done") if done else ("postponed", "postponed")
    if done:
        if any(has("reduced", s) for s in sentences):
            return "partial", "reduced_done_and_ongoing" if ongoing else "reduced_and_done"
        return "implemented", "done_and_ongoing" if ongoing else "done"
    if ongoing:
        return "ongoing", "ongoing"
    return ("implemented", "quantity_only") if find_quantities(result) else ("ongoing", "nothing")


@dataclass(frozen=True)
class Units:
    """Units of count and money, and the words around a number that say what it counts."""

    names: tuple[str, ...]
    english: dict[str, str]
    codes: dict[str, str]
    modifiers: tuple[str, ...]
    pattern: re.Pattern[str]
    before: re.Pattern[str]  # the noun before a number (what was counted)
    after: re.Pattern[str]  # else the verb after it
    strip: re.Pattern[str]  # fiscal-year prefixes and trailing particles to drop from a noun
    not_a_count: re.Pattern[str]  # what follows 人/名 when the number is not a count of people
    ordinal: re.Pattern[str]  # what precedes 回 when it is an ordinal (第3回)
    verb_end: re.Pattern[str]  # a word before the number ending like a verb is no noun


@cache
def load_units(path: Path = DATA_DIR / "units.yaml") -> Units:
    """The unit vocabulary (data/units.yaml)."""
    data = load_yaml(path)
    try:
        entries = data["units"]
        names = tuple(sorted((normalize(u["ja"]) for u in entries), key=len, reverse=True))
        english = {normalize(u["ja"]): u["en"] for u in entries}
        codes = {normalize(u["ja"]): u["code"] for u in entries}
        modifiers = tuple(sorted(data.get("modifiers", []), key=len, reverse=True))
        words = data["counted_words"]
        before, after = re.compile(words["before"]), re.compile(words["after"])
        strip = re.compile(words["strip"])
        not_a_count, ordinal = re.compile(words["not_a_count"]), re.compile(words["ordinal"])
        verb_end = re.compile(words["verb_end"])
    except (KeyError, TypeError, re.error) as exc:
        raise VocabularyError(f"{path}: malformed unit vocabulary: {exc!r}") from exc
    number = r"(?<![\d.,/])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"
    unit = "|".join(re.escape(u) for u in names)
    pattern = re.compile(number + r"\s*(" + unit + r")")
    return Units(names, english, codes, modifiers, pattern, before, after, strip,
                 not_a_count, ordinal, verb_end)


def _counted(before: str, after: str, units: Units) -> str | None:
    """What a number counts: the noun before it, else the verb after it (参加, 配布 …)."""
    m = units.before.search(before)
    if m and not units.verb_end.search(m.group(1)):
        word = m.group(1)
        for mod in units.modifiers:
            if word.endswith(mod):
                word = word[: -len(mod)]
                break
        word = units.strip.sub("", word)
        # the text before may start right after another number's unit (54団体104名)
        if m.start(1) > 0 and before[m.start(1) - 1].isdigit():
            lead = next((u for u in units.names if word.startswith(u)), "")
            word = word[len(lead) :]
        if len(word) >= 2:
            return word
    m = units.after.match(after)
    if m and len(m.group(1)) >= 2:
        return m.group(1)
    return None


def find_quantities(result: str, units: Units | None = None) -> list[Quantity]:
    """Numbers with a unit in a result, with what was counted where the text says it.

    >>> [(q.value, q.unit, q.counted) for q in find_quantities("年24回実施し317人が参加。")]
    [(24.0, '回', '実施'), (317.0, '人', '参加')]
    """
    units = units or load_units()
    text = normalize(result)
    out = []
    for m in units.pattern.finditer(text):
        tail = text[m.end() :]
        if m.group(2) in ("人", "名") and units.not_a_count.match(tail):
            continue
        if m.group(2) == "回" and units.ordinal.search(text[: m.start()]):
            continue
        value = float(m.group(1).replace(",", ""))
        counted = _counted(text[max(0, m.start() - 20) : m.start()], tail, units)
        out.append(Quantity(value=value, unit=m.group(2), counted=counted, text=m.group(0)))
    return out


def find_partners(
    result: str, own_bodies: list[str], partners: PartnerVocabulary, bodies: BodyVocabulary
) -> list[str]:
    """Organizations named in the result that are not among the row's bodies.

    Known partners and known bodies are both looked for; the longest name wins at each place
    (地区社会福祉協議会 is a partner, not the body 区社会福祉協議会). Canonical Japanese names,
    in order of first mention.
    """
    own = {b.id for name in own_bodies if (b := bodies.lookup(name))}
    names = _names(partners, bodies)
    text = normalize(result)
    taken = [False] * len(text)
    found: list[tuple[int, str]] = []
    for pattern, canonical, body_id in names:
        start = text.find(pattern)
        while start != -1:
            end = start + len(pattern)
            if not any(taken[start:end]):
                for k in range(start, end):
                    taken[k] = True
                if body_id not in own:
                    found.append((start, canonical))
            start = text.find(pattern, end)
    seen: dict[str, None] = {}
    for _, canonical in sorted(found):
        seen.setdefault(canonical, None)
    return list(seen)


# The names of the last vocabularies `find_partners` was given (it is called once per row).
_last_names: list[tuple[PartnerVocabulary, BodyVocabulary, list[tuple[str, str, str | None]]]] = []


def _names(partners: PartnerVocabulary, bodies: BodyVocabulary
           ) -> list[tuple[str, str, str | None]]:
    """(pattern, canonical name, body id) of every known partner and body name, longest
    pattern first (ties in vocabulary order)."""
    if _last_names and _last_names[0][0] is partners and _last_names[0][1] is bodies:
        return _last_names[0][2]
    names: list[tuple[str, str, str | None]] = []
    for p in partners.partners:
        link = p.body or None
        names += [(pat, p.name_ja, link) for pat in p.patterns]
    for b in bodies.bodies:
        names += [(normalize(n), b.name_ja, b.id) for n in (b.name_ja, *b.aliases)]
    names.sort(key=lambda x: len(x[0]), reverse=True)
    _last_names[:] = [(partners, bodies, names)]
    return names
