"""Indicator rules: the YAML file read into compiled, immutable objects.

In: a rules file (default: the packaged ``analysis/rules/indicators.yaml``;
its header explains the format). Out: ``Rules`` — units, linkers, flags,
roles and, in order, the indicators with their patterns and their catalog
entries (``kind`` stock/flow, ``measure`` and ``labels`` in vi/en), every phrase
list compiled into one whole-syllable regular expression over match-form text; and
the citation settings of the ``references`` section (``CitationRules``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from ..clean.normalize import match_form
from ..config import INDICATORS_SCHEMA, ConfigError, load_config, load_config_text, rules_file
from ..patterns import phrase_union

CONDITIONS = ("head", "not_head", "before", "after", "context", "after_unit", "sentence", "clause", "clause_start")
NEGATED = tuple(f"unless_{c}" for c in CONDITIONS if c != "not_head")


class RulesError(ValueError):
    """The rules file is not valid; the message says where."""


def unit_key(text: str) -> str:
    """How a unit phrase is looked up: single spaces, ", " after commas."""
    return re.sub(r"\s*,\s*", ", ", re.sub(r"\s+", " ", text.strip()))


# Syllables written with a final "y" or "i" after a consonant are spelled both ways
# ("kỷ luật"/"kỉ luật", "lý"/"lí", "sỹ"/"sĩ"); a phrase listed one way matches both.
_I_Y = str.maketrans("yýỳỷỹỵiíìỉĩị", "iíìỉĩịyýỳỷỹỵ")
_FINAL_I_Y = re.compile(r"(?<![\w])([hklmst])([yýỳỷỹỵiíìỉĩị])(?![\w])")


def spelling_variants(phrase: str) -> set[str]:
    """The phrase and its other i/y spelling ("kỷ luật" -> {"kỷ luật", "kỉ luật"})."""
    if not _FINAL_I_Y.search(phrase):
        return {phrase}
    return {phrase, _FINAL_I_Y.sub(lambda m: m.group(1) + m.group(2).translate(_I_Y), phrase)}


@dataclass(frozen=True)
class PhraseSet:
    """A list of phrases compiled for whole-syllable search in match-form text.

    Each regex is compiled when first used: a rules file has dozens of phrase lists and
    most are asked only one kind of question, so compiling all four forms of every list
    at start-up was wasted time.
    """

    phrases: tuple[str, ...]

    @classmethod
    def of(cls, phrases: list[str] | None) -> PhraseSet:
        return cls(tuple(sorted({v for p in phrases or [] if str(p).strip() for v in spelling_variants(match_form(str(p)).strip())},
                                key=len, reverse=True)))

    @cached_property
    def _body(self) -> str:
        # Whole syllables: a phrase may not start or end inside a word; phrases
        # of punctuation ("/", ":") need no such boundary.
        return phrase_union(self.phrases)

    @cached_property
    def regex(self) -> re.Pattern[str] | None:
        return re.compile(self._body) if self.phrases else None

    @cached_property
    def end_regex(self) -> re.Pattern[str] | None:
        """The plain definition of ``ends``."""
        return re.compile(f"(?:{self._body})\\s*$") if self.phrases else None

    @cached_property
    def start_regex(self) -> re.Pattern[str] | None:
        return re.compile(f"\\s*(?:{self._body})") if self.phrases else None

    @cached_property
    def reversed_end_regex(self) -> re.Pattern[str] | None:
        """``ends`` as an anchored match on the reversed text: a search for ``end_regex`` tries
        every position of the text, this one only the start (tests/test_patterns.py ties the two).
        Reversed, a phrase's start boundary becomes the union's end boundary (and its end
        boundary, always met before the trailing blanks, the start one)."""
        return re.compile(f"\\s*(?:{phrase_union(p[::-1] for p in self.phrases)})") if self.phrases else None

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def search(self, text: str) -> bool:
        """One of the phrases occurs in ``text``."""
        return bool(self.regex and self.regex.search(text))

    def ends(self, text: str) -> bool:
        """``text`` ends with one of the phrases (trailing space ignored)."""
        return bool(self.reversed_end_regex and self.reversed_end_regex.match(text[::-1]))

    def starts(self, text: str) -> bool:
        """``text`` starts with one of the phrases (leading space ignored)."""
        return bool(self.start_regex and self.start_regex.match(text))


@dataclass(frozen=True)
class Pattern:
    id: str
    indicator: str
    units: frozenset[str]
    conditions: dict[str, PhraseSet]
    negated: dict[str, PhraseSet]
    also: bool = False
    scaled: bool = False  # implied units: the number must carry a scale word ("300 triệu")


KINDS = ("stock", "flow")
LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class Indicator:
    name: str
    label: str
    patterns: tuple[Pattern, ...]
    kind: str = "flow"  # "stock": a level at a date; "flow": events in a period
    measure: tuple[tuple[str, str], ...] = ()  # (language, unit word) pairs: ("vi", "đảng viên")
    labels: tuple[tuple[str, str], ...] = ()  # (language, reader-facing name)

    def label_in(self, language: str) -> str:
        """The indicator's name for readers in ``language`` (the plain ``label`` if none is given)."""
        return dict(self.labels).get(language) or self.label


def _by_language(spec: dict, key: str, where: str) -> tuple[tuple[str, str], ...]:
    """An optional {vi: …, en: …} mapping of the catalog, checked."""
    value = spec.get(key)
    if value is None:
        return ()
    if not isinstance(value, dict) or not value or any(k not in LANGUAGES or not isinstance(v, str) or not v.strip()
                                                       for k, v in value.items()):
        raise RulesError(f"{where}.{key}: expected a mapping of {'/'.join(LANGUAGES)} to text, got {value!r}")
    return tuple((k, str(v).strip()) for k, v in value.items())


def _catalog_entry(spec: dict, where: str) -> dict:
    """The catalog keys of one indicator (kind, measure, labels), validated."""
    kind = spec.get("kind", "flow")
    if kind not in KINDS:
        raise RulesError(f"{where}.kind: '{kind}' is not one of {', '.join(KINDS)}")
    return {"kind": kind, "measure": _by_language(spec, "measure", where), "labels": _by_language(spec, "labels", where)}


@dataclass(frozen=True)
class CitationRules:
    """The ``references`` section: type words, scored uncoded types, issuer spellings and levels."""

    types: dict[str, str]  # match-form type word ("chỉ thị") -> type code ("CT")
    uncoded: frozenset[str]  # type codes whose uncoded citations are scored
    aliases: dict[str, str]  # issuer spelling without dots, upper case ("TƯ") -> normalized ("TW")
    levels: dict[str, str]  # issuer code ending, upper case ("TU") -> level ("province")

    @classmethod
    def of(cls, section: dict | None) -> CitationRules:
        section = section or {}
        aliases = {spelling.replace(".", "").upper(): normalized
                   for normalized, spellings in (section.get("issuer_aliases") or {}).items() for spelling in spellings}
        return cls(
            types={match_form(k): v for k, v in (section.get("types") or {}).items()},
            uncoded=frozenset(section.get("uncoded") or []),
            aliases=aliases,
            levels={k.upper(): v for k, v in (section.get("issuer_levels") or {}).items()},
        )


@dataclass(frozen=True)
class Rules:
    """Everything the matcher needs, compiled."""

    units: dict[str, str]  # match-form phrase (", " after commas) -> unit name
    unit_regex: re.Pattern[str]
    unit_anywhere: re.Pattern[str]  # any unit phrase (candidates for mentions)
    implied_regex: re.Pattern[str] | None  # phrases that name a unit before its number
    implied_cued: bool  # every implied unit needs one of those phrases ("before") in its sentence
    linkers: PhraseSet
    max_link_words: int
    breakdown: PhraseSet  # words that open a breakdown of an earlier count ("trong đó")
    passive: PhraseSet  # words that open a passive verb after the counts ("được … khen thưởng")
    fixed_phrases: PhraseSet  # phrases whose commas do not end a count's context
    unit_splits: dict[str, PhraseSet]  # unit -> words after it that leave it only its first noun
    ratio_total_is_target: frozenset[str]  # indicators whose ratio totals are plans
    comrade_requires: PhraseSet
    unit_flags: dict[str, str]  # unit -> flag every mention of it carries ("household", "lumped" …)
    flags: tuple[tuple[str, Pattern], ...]
    roles: tuple[tuple[str, Pattern], ...]
    implied_units: tuple[tuple[str, Pattern], ...]
    indicators: tuple[Indicator, ...]
    citations: CitationRules = field(default_factory=lambda: CitationRules.of(None))
    source: str = ""

    @property
    def indicator_names(self) -> list[str]:
        return [i.name for i in self.indicators]


def _conditions(spec: dict, name_key: str, where: str) -> tuple[str, Pattern]:
    """A named set of conditions (a flag, role or implied unit)."""
    if name_key not in spec:
        raise RulesError(f"{where}: missing '{name_key}'")
    unknown = set(spec) - {name_key, "scaled", "units", *CONDITIONS, *NEGATED}
    if unknown:
        raise RulesError(f"{where}: unknown key(s) {sorted(unknown)}")
    return str(spec[name_key]), Pattern(
        id=f"{name_key}.{spec[name_key]}",
        indicator="",
        units=frozenset(spec.get("units") or []),
        conditions={k: PhraseSet.of(spec[k]) for k in CONDITIONS if k in spec},
        negated={k: PhraseSet.of(spec[k]) for k in NEGATED if k in spec},
        scaled=bool(spec.get("scaled", False)),
    )


def _pattern(indicator: str, spec: dict, units: set[str], where: str) -> Pattern:
    unknown = set(spec) - {"id", "units", "also", *CONDITIONS, *NEGATED}
    if unknown:
        raise RulesError(f"{where}: unknown key(s) {sorted(unknown)}")
    pattern_units = spec.get("units") or []
    missing = [u for u in pattern_units if u not in units]
    if not pattern_units or missing:
        raise RulesError(f"{where}: units {missing or '(none)'} not defined under 'units'")
    return Pattern(
        id=str(spec.get("id") or f"{indicator}.{len(pattern_units)}"),
        indicator=indicator,
        units=frozenset(pattern_units),
        conditions={k: PhraseSet.of(spec[k]) for k in CONDITIONS if k in spec},
        negated={k: PhraseSet.of(spec[k]) for k in NEGATED if k in spec},
        also=bool(spec.get("also", False)),
    )


def parse_rules(data: dict, source: str = "<rules>") -> Rules:
    """Compile a rules mapping (the parsed YAML)."""
    if not isinstance(data, dict) or "units" not in data or "indicators" not in data:
        raise RulesError(f"{source}: a rules file needs 'units' and 'indicators'")
    units: dict[str, str] = {}
    for unit, phrases in data["units"].items():
        for phrase in phrases:
            units.setdefault(unit_key(match_form(str(phrase))), unit)
    alternatives = phrase_union(units, boundaries=False)
    unit_regex = re.compile(r"\s*(" + alternatives + r")(?!\w)")
    implied_specs = data.get("implied_units") or []
    # When every implied unit requires a long "before" phrase, a sentence without one of
    # them cannot hold an implied unit: those phrases alone mark where one may be, and a
    # sentence without them is not checked for one. Otherwise the long "head" phrases count too.
    implied_cued = all("before" in spec and all(len(p) > 3 for p in spec["before"]) for spec in implied_specs)
    implied_phrases = [p for spec in implied_specs for p in spec.get("before", []) + ([] if implied_cued else spec.get("head", []))
                       if len(p) > 3]
    unit_anywhere = re.compile(phrase_union(units))
    implied_regex = re.compile(phrase_union(match_form(p) for p in implied_phrases)) if implied_phrases else None
    indicators = []
    for name, spec in data["indicators"].items():
        patterns = tuple(
            _pattern(name, p, set(data["units"]), f"{source}: indicators.{name}.patterns[{i}]")
            for i, p in enumerate(spec.get("patterns") or [])
        )
        if not patterns:
            raise RulesError(f"{source}: indicator '{name}' has no patterns")
        unknown = set(spec) - {"label", "patterns", "kind", "measure", "labels"}
        if unknown:
            raise RulesError(f"{source}: indicators.{name}: unknown key(s) {sorted(unknown)}")
        indicators.append(Indicator(name, str(spec.get("label", name)), patterns,
                                    **_catalog_entry(spec, f"{source}: indicators.{name}")))
    def named(key: str, name_key: str) -> tuple[tuple[str, Pattern], ...]:
        entries = data.get(key) or []
        if not isinstance(entries, list):
            raise RulesError(f"{source}: '{key}' must be a list")
        return tuple(_conditions(e, name_key, f"{source}: {key}[{i}]") for i, e in enumerate(entries))

    implied = named("implied_units", "unit")
    for unit, _ in implied:
        if unit not in data["units"]:
            raise RulesError(f"{source}: implied unit '{unit}' is not defined under 'units'")
    return Rules(
        units=units,
        unit_regex=unit_regex,
        unit_anywhere=unit_anywhere,
        implied_regex=implied_regex,
        implied_cued=implied_cued,
        linkers=PhraseSet.of([p for p in data.get("linkers", []) if p != ","]),
        max_link_words=int(data.get("max_link_words", 5)),
        breakdown=PhraseSet.of(data.get("breakdown")),
        passive=PhraseSet.of(data.get("passive")),
        fixed_phrases=PhraseSet.of(data.get("fixed_phrases")),
        unit_splits={str(k): PhraseSet.of(v) for k, v in (data.get("unit_splits") or {}).items()},
        ratio_total_is_target=frozenset(data.get("ratio_total_is_target") or []),
        comrade_requires=PhraseSet.of(data.get("comrade_requires")),
        unit_flags={str(k): str(v) for k, v in (data.get("unit_flags") or {}).items()},
        flags=named("flags", "flag"),
        roles=named("roles", "role"),
        implied_units=implied,
        indicators=tuple(indicators),
        citations=CitationRules.of(data.get("references")),
        source=source,
    )


def default_rules_path() -> Path:
    return rules_file("indicators.yaml")


@lru_cache(maxsize=16)
def _compiled(path: str, mtime_ns: int) -> Rules:
    try:
        data = load_config(path, INDICATORS_SCHEMA)  # safe YAML, top-level shape; parse_rules checks the entries
    except ConfigError as exc:
        raise RulesError(str(exc)) from None
    return parse_rules(data, path)


@lru_cache(maxsize=16)
def rules_from_text(text: str, source: str = "<rules>") -> Rules:
    """Compile rules from YAML text (cached by content)."""
    try:
        data = load_config_text(text, INDICATORS_SCHEMA, source)
    except ConfigError as exc:
        raise RulesError(str(exc)) from None
    return parse_rules(data, source)


def load_rules(path: str | Path | None = None) -> Rules:
    """Read and compile a rules file (the packaged one by default).

    Compiled rules are immutable and cached per file and modification time.
    """
    resolved = (Path(path) if path else default_rules_path()).resolve()
    if not resolved.exists():
        raise RulesError(f"no such rules file: {resolved}")
    return _compiled(str(resolved), resolved.stat().st_mtime_ns)
