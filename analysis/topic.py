"""Topic step: a cleaned article in, its Party-building relevance out.

In: the headline and the cleaned body of one article (``clean_document``'s
``title`` and ``text``: page chrome — menus naming a "Xây dựng Đảng" section,
breadcrumbs, footers — is already gone, so it cannot make a page look on topic).
Out: ``score_topic(title, text)`` → ``Topic`` (``relevance``, ``party_building``
and the phrases that decided them); ``topic_columns(title, text)`` → the two
document columns ``{"party_building": bool, "relevance": float}``.

The vocabulary, its weights and the threshold are data, in
``analysis/rules/topic.yaml`` (its header gives the formula): relevance is the
net weight of Party-building phrases minus off-topic phrases per 1 000 words of
body, plus the headline's net weight times ``headline_weight``; an article is
about Party building when its relevance reaches ``threshold``. A transparent
sum, so an analyst can see from ``Topic.hits`` why a page was kept or left out.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .clean.normalize import match_form
from .config import ConfigError, load_config, rules_file
from .patterns import phrase_union

__all__ = ["TOPIC_COLUMNS", "Topic", "TopicRules", "TopicRulesError", "load_topic_rules", "parse_topic_rules",
           "score_topic", "topic_columns"]

# The document columns this step adds.
TOPIC_COLUMNS = ("party_building", "relevance")
SETTINGS = {"threshold": float, "headline_weight": float, "min_words": int, "min_line_words": int,
            "max_hits_per_phrase": int}
LISTS = ("party_building", "off_topic")
_WORD = re.compile(r"\w+")


class TopicRulesError(ValueError):
    """The topic vocabulary file is not valid; the message says where."""


def _key(phrase: str) -> str:
    """How a matched phrase is looked up: match form, single spaces, ", " after commas."""
    return re.sub(r"\s*,\s*", ", ", " ".join(match_form(phrase).split()))


@dataclass(frozen=True)
class TopicRules:
    """The compiled vocabulary: signed weight per phrase (off-topic phrases negative)."""

    weights: dict[str, float]
    regex: re.Pattern[str]
    patterns: tuple[tuple[str, re.Pattern[str], float], ...]  # name, written form (document codes), signed weight
    threshold: float
    headline_weight: float
    min_words: int
    min_line_words: int
    max_hits_per_phrase: int


@dataclass(frozen=True)
class Topic:
    """Why an article is, or is not, about Party building."""

    relevance: float
    party_building: bool
    words: int
    hits: dict[str, int]  # phrase (match form) or pattern name → times counted, body and headline together

    def columns(self) -> dict[str, Any]:
        return {"party_building": self.party_building, "relevance": self.relevance}


def parse_topic_rules(data: Any, source: str = "<topic rules>") -> TopicRules:
    """Validate and compile a parsed topic vocabulary; errors name the file and the entry."""
    if not isinstance(data, dict):
        raise TopicRulesError(f"{source}: a topic vocabulary is a mapping with {', '.join([*SETTINGS, *LISTS])}")
    unknown = set(data) - set(SETTINGS) - set(LISTS)
    if unknown:
        raise TopicRulesError(f"{source}: unknown key(s) {sorted(unknown)}")
    settings: dict[str, Any] = {}
    for name, kind in SETTINGS.items():
        value = data.get(name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and value != int(value)):
            raise TopicRulesError(f"{source}: '{name}' must be a {'whole ' if kind is int else ''}number, not {value!r}")
        if name != "threshold" and value < 0:
            raise TopicRulesError(f"{source}: '{name}' must not be negative, not {value!r}")
        settings[name] = kind(value)
    if settings["max_hits_per_phrase"] < 1 or settings["min_words"] < 1:
        raise TopicRulesError(f"{source}: 'max_hits_per_phrase' and 'min_words' must be at least 1")
    weights: dict[str, float] = {}
    patterns: list[tuple[str, re.Pattern[str], float]] = []
    where_of: dict[str, str] = {}
    for section, sign in zip(LISTS, (1.0, -1.0), strict=True):
        groups = data.get(section)
        if not isinstance(groups, list) or not groups:
            raise TopicRulesError(f"{source}: '{section}' must be a non-empty list of {{weight, phrases}} groups")
        for index, group in enumerate(groups):
            where = f"{source}: {section}[{index}]"
            if not isinstance(group, dict) or set(group) not in ({"weight", "phrases"}, {"weight", "patterns"}):
                raise TopicRulesError(f"{where}: a group has the keys 'weight' and either 'phrases' or 'patterns'")
            weight = group["weight"]
            if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
                raise TopicRulesError(f"{where}: 'weight' must be a positive number, not {weight!r}")
            listing = "phrases" if "phrases" in group else "patterns"
            entries = group[listing]
            if listing == "patterns":
                if not isinstance(entries, dict) or not entries:
                    raise TopicRulesError(f"{where}: 'patterns' must be a non-empty mapping of name: regular expression")
                for name, entry in entries.items():
                    patterns.append((str(name), _pattern(entry, f"{where}: pattern '{name}'"), sign * float(weight)))
                continue
            if not isinstance(entries, list) or not entries:
                raise TopicRulesError(f"{where}: 'phrases' must be a non-empty list")
            for phrase in entries:
                if not isinstance(phrase, str) or not _WORD.search(phrase):
                    raise TopicRulesError(f"{where}: phrase {phrase!r} is not text")
                key = _key(phrase)
                if key in weights:
                    raise TopicRulesError(f"{where}: phrase '{phrase}' is already listed in {where_of[key]}")
                weights[key] = sign * float(weight)
                where_of[key] = f"{section}[{index}]"
    return TopicRules(weights=weights, regex=re.compile(phrase_union(weights)), patterns=tuple(patterns), **settings)


def _pattern(entry: Any, where: str) -> re.Pattern[str]:
    if not isinstance(entry, str) or not entry.strip():
        raise TopicRulesError(f"{where}: {entry!r} is not text")
    try:
        return re.compile(entry)
    except re.error as exc:
        raise TopicRulesError(f"{where}: {entry!r} is not a valid regular expression: {exc}") from None


def _read(path: Path) -> TopicRules:
    try:
        # the one safe loader (bounded aliases and depth, JSON types only); parse_topic_rules checks the keys
        data = load_config(path, {"type": "object"})
    except ConfigError as exc:
        raise TopicRulesError(str(exc)) from None
    return parse_topic_rules(data, str(path))


@lru_cache(maxsize=4)
def _cached(path: str, mtime_ns: int) -> TopicRules:
    return _read(Path(path))


@lru_cache(maxsize=1)
def default_topic_path() -> Path:
    return rules_file("topic.yaml")


def load_topic_rules(path: str | Path | None = None) -> TopicRules:
    """The topic vocabulary from ``path`` (default: the packaged ``topic.yaml``), compiled once per file version."""
    resolved = Path(path) if path else default_topic_path()
    if not resolved.is_file():
        raise TopicRulesError(f"no such topic vocabulary file: {resolved}")
    return _cached(str(resolved), resolved.stat().st_mtime_ns)


def _net(text: str, rules: TopicRules, counted: Counter[str]) -> float:
    """Net weight of the phrases in ``text`` (match form); ``counted`` caps each phrase across calls."""
    total = 0.0
    for match in rules.regex.finditer(text):
        key = match.group(0)
        if key not in rules.weights:  # spelled with other spacing than the listed phrase
            key = re.sub(r"\s*,\s*", ", ", " ".join(key.split()))
        if counted[key] >= rules.max_hits_per_phrase:
            continue
        counted[key] += 1
        total += rules.weights[key]
    for name, pattern, weight in rules.patterns:
        for _ in pattern.finditer(text):
            if counted[name] >= rules.max_hits_per_phrase:
                break
            counted[name] += 1
            total += weight
    return total


def score_topic(title: str | None, text: str | None, rules: TopicRules | None = None) -> Topic:
    """Relevance of one article to Party building, from its headline and cleaned body."""
    rules = rules or load_topic_rules()
    counted: Counter[str] = Counter()
    words = 0
    kept: list[str] = []
    # The whole body's match form at once: the cached one the extract step asks for too.
    for line in match_form(text if isinstance(text, str) else "").split("\n"):
        n = len(line.split())
        if n >= rules.min_line_words:  # shorter: a section name, a menu item, a stub caption
            words += n
            kept.append(line)
    body = _net("\n".join(kept), rules, counted)
    headline = _net(match_form(title), rules, counted) if isinstance(title, str) and title else 0.0
    relevance = round(1000 * body / max(words, rules.min_words) + rules.headline_weight * headline, 2)
    return Topic(relevance=relevance, party_building=relevance >= rules.threshold, words=int(words), hits=dict(counted))


def topic_columns(title: str | None, text: str | None, rules: TopicRules | None = None) -> dict[str, Any]:
    """``{"party_building": …, "relevance": …}`` of one article (the document table's columns)."""
    return score_topic(title, text, rules).columns()
