"""The matcher: indicator mentions found in one text by the declarative rules.

In: a document's cleaned text and compiled ``Rules``. Out: a list of mention
dicts (``MENTION_COLUMNS``) — indicator, value, unit, qualifier, flags,
subject organization, year/period, sentence, matched text, character offsets
into the text, and the id of the rule that decided.

Steps, per sentence: find numbers (``numbers.find_numbers``) directly
followed by a unit phrase; join numbers linked only by "," / "và" / "với" …
into groups that share their verb; give every group its contexts (the words
before it back to the previous group or comma, the words after it up to the
next comma, the word that introduces it); then try the indicators' patterns
in file order. Reading "khen thưởng 20 tập thể, 40 cá nhân" gives two
mentions, one per indicator, both decided by "khen thưởng".
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..clean.normalize import match_form
from ..patterns import phrase_union
from .numbers import NUMBER_WORDS, SCALES, NumberMatch, find_numbers
from .organizations import find_organizations, main_organization
from .rules import Pattern, Rules, unit_key
from .sentences import split_clauses, split_sentences

MENTION_COLUMNS = [
    "doc_id", "indicator", "value", "unit", "qualifier", "flags", "organization", "organization_level",
    "organization_source", "year", "period",
    "sentence", "matched_text", "start", "end", "rule_id", "unit_text", "lower_bound",
]

_PAREN_ABBREV = re.compile(r"^\s*\([^()]{0,12}\)")
_AREA = re.compile(r"(?i:toàn\s+(?:tỉnh|huyện|thành\s+phố|quận|thị\s+xã|xã|đảng\s+bộ|vùng|quốc|khối|ngành))")
_Y = r"(?:19|20)\d{2}"
# Reporting periods ("6 tháng đầu năm 2023", "quý III/2023", "từ đầu năm đến nay", "giai
# đoạn 2020-2025"), in match form. Periods that open with a digit and those that open with a
# word are two regexes so that each opens with one kind of character and the regex engine
# can skip ahead to it (one regex of all took 45 µs a sentence).
_PERIOD_DIGIT = re.compile(rf"\d+\s+(?:tháng(?:\s+(?:đầu|cuối))?\s+năm(?:\s+{_Y})?|năm\s+(?:qua|thực\s+hiện))")
_PERIOD_WORD = re.compile(
    rf"(?:sáu|chín|ba)\s+tháng(?:\s+(?:đầu|cuối))?\s+năm(?:\s+{_Y})?"
    rf"|quý\s+[iv]+(?!\w)(?:[/\s]+(?:năm\s+)?{_Y})?"
    rf"|từ\s+đầu\s+năm(?:\s+{_Y})?(?:\s+(?:đến|tới)\s+nay)?"
    rf"|đầu\s+năm(?:\s+{_Y})?(?:\s+(?:đến|tới)\s+nay)?"
    rf"|giai\s+đoạn\s+{_Y}\s*[-–]\s*{_Y}|nhiệm\s+kỳ\s+{_Y}\s*[-–]\s*{_Y}"
    rf"|tính\s+đến\s+(?:ngày\s+)?\d{{1,2}}[/.-]\d{{1,2}}(?:[/.-]\d{{4}})?"
    rf"|năm\s+{_Y}"
)
_YEAR_DIGITS = re.compile(rf"{_Y}(?!\d)")


@dataclass
class _Mention:
    number: NumberMatch  # offsets into the document text
    unit: str
    unit_text: str
    unit_end: int
    clause: tuple[int, int]

    @property
    def lead(self) -> int:
        """Where the mention's words begin (its qualifier, else its number)."""
        return self.number.qualifier_start if self.number.qualifier_start is not None else self.number.start


@dataclass
class _Context:
    head: str  # text before the group back to the previous group or comma; ends with the introducing word
    after: str
    after_unit: str
    sentence: str
    clause: str = ""  # the clause before the group
    # A breakdown ("…, trong đó có 3 đảng viên …", "(gồm 653 tập thể …)") carries the words of the
    # total it breaks down: they are searched as "before" words too.
    inherited: str = ""

    def test(self, kind: str, phrases) -> bool:
        if kind == "head":
            return phrases.ends(self.head)
        if kind == "not_head":
            return not phrases.ends(self.head)
        # Most groups inherit nothing, and no phrase is found in an empty text: the search is skipped.
        if kind == "before":
            return phrases.search(self.head) or (bool(self.inherited) and phrases.search(self.inherited))
        if kind == "after":
            return phrases.search(self.after)
        if kind == "context":
            return (phrases.search(self.head) or phrases.search(self.after)
                    or (bool(self.inherited) and phrases.search(self.inherited)))
        if kind == "after_unit":
            return phrases.starts(self.after_unit)
        if kind == "sentence":
            return phrases.search(self.sentence)
        if kind == "clause":
            return phrases.search(self.clause)
        if kind == "clause_start":
            return phrases.starts(self.clause)
        raise KeyError(kind)


def _fits(pattern: Pattern, context: _Context) -> bool:
    for kind, phrases in pattern.conditions.items():
        if not context.test(kind, phrases):
            return False
    for kind, phrases in pattern.negated.items():
        if context.test(kind.removeprefix("unless_"), phrases):
            return False
    return True


def classify(unit: str, context: _Context, rules: Rules) -> list[tuple[str, str]]:
    """(indicator, rule id) pairs that the rules give a number of ``unit``."""
    assigned: list[tuple[str, str]] = []
    for indicator in rules.indicators:
        for pattern in indicator.patterns:
            if unit in pattern.units and _fits(pattern, context):
                assigned.append((indicator.name, pattern.id))
                if not pattern.also:
                    return assigned
                break
    return assigned


def _find_mentions(text: str, mf: str, start: int, end: int, rules: Rules, implied_here: bool = True) -> list[_Mention]:
    sentence_mf = mf[start:end]
    clauses = split_clauses(text, start, end)
    units = rules.units
    mentions = []
    # Without an implied-unit phrase in the sentence, only numbers followed by a unit can be mentions.
    for number in find_numbers(text, mf, start, end, followed_by=None if implied_here else rules.unit_regex):
        if number.kind == "percent":
            continue
        m = rules.unit_regex.match(mf, number.end)
        if not m or m.end() > end:
            implied = _implied_unit(mf, start, number, rules) if implied_here else None
            if implied:
                clause = next(((a, b) for a, b in clauses if a <= number.start < b), (start, end))
                mentions.append(_Mention(number, implied, "", number.end, clause))
            continue
        unit = units.get(m.group(1)) or units.get(unit_key(m.group(1)))  # most are written as listed
        if unit is None:
            continue
        unit_start, unit_end = m.start(1), m.end()
        if unit in rules.unit_splits and rules.unit_splits[unit].starts(mf[unit_end:end]):
            unit, unit_end = _first_noun(m.group(1), unit_start, units)
        if unit == "comrade" and not rules.comrade_requires.search(sentence_mf):
            continue
        clause = next(((a, b) for a, b in clauses if a <= number.start < b), (start, end))
        mentions.append(_Mention(number, unit, text[unit_start:unit_end], unit_end, clause))
    return mentions


def _first_noun(phrase: str, start: int, units: dict[str, str]) -> tuple[str, int]:
    """The longest shorter unit phrase that ``phrase`` opens with ("cá nhân" of "cá nhân và
    tập thể"), as (unit, end offset)."""
    key = unit_key(phrase)
    shorter = max((k for k in units if key.startswith(k + " ") or key.startswith(k + ",")), key=len, default=None)
    if shorter is None:
        return units.get(key, ""), start + len(phrase)
    return units[shorter], start + len(shorter)


_DIGIT = re.compile(r"\d")
_NUMBER_WORD = re.compile(phrase_union(NUMBER_WORDS))


def _number_near(mf: str, start: int) -> bool:
    """A digit or a number word in the 30 characters before ``start``."""
    return bool(_DIGIT.search(mf, max(0, start - 30), start) or _NUMBER_WORD.search(mf, max(0, start - 30), start))


def _candidates(mf: str, rules: Rules) -> tuple[list[int], list[int]]:
    """Where a mention may be, as sorted offsets: unit phrases with a number shortly
    before them, and phrases that name a unit before its number ("tổng số đảng viên")."""
    units = [m.end() - 1 for m in rules.unit_anywhere.finditer(mf) if _number_near(mf, m.start())]
    implied = [m.end() - 1 for m in rules.implied_regex.finditer(mf)] if rules.implied_regex is not None else []
    return units, implied


def _any_between(offsets: list[int], start: int, end: int) -> bool:
    i = bisect.bisect_left(offsets, start)
    return i < len(offsets) and offsets[i] < end


def _implied_unit(mf: str, sentence_start: int, number: NumberMatch, rules: Rules) -> str | None:
    """The unit named before a bare number ("tổng số đảng viên là 1.234")."""
    if number.kind not in ("count", "vague") or not rules.implied_units:
        return None
    lead = number.qualifier_start if number.qualifier_start is not None else number.start
    head = _after_last_comma(mf[sentence_start:lead])
    context = _Context(head=head, after="", after_unit="", sentence="", clause=head)
    scaled = any(word in number.text.lower() for word in SCALES)
    for unit, pattern in rules.implied_units:
        if pattern.scaled and not scaled:
            continue
        if _fits(pattern, context):
            return unit
    return None


def _linked(gap: str, rules: Rules) -> bool:
    stripped = gap.strip().rstrip(":").strip()
    if any(ch in gap for ch in ";()"):
        return False
    words = [w for w in stripped.split() if any(c.isalnum() for c in w)]
    if len(words) > rules.max_link_words:
        return False
    if rules.passive.search(stripped):
        return False  # "15 đảng viên được kết nạp, 20 đảng viên được tặng …": each count has its own verb
    return not stripped or stripped.endswith(",") or rules.linkers.ends(stripped)


def _groups(mentions: list[_Mention], mf: str, rules: Rules) -> list[list[_Mention]]:
    groups: list[list[_Mention]] = []
    for mention in mentions:
        if groups and groups[-1][-1].clause == mention.clause:
            previous = groups[-1][-1]
            if previous.unit_end <= mention.lead and _linked(mf[previous.unit_end : mention.lead], rules):
                groups[-1].append(mention)
                continue
        groups.append([mention])
    return groups


def _without_fixed_commas(mf: str, rules: Rules) -> str:
    """``mf`` with the commas inside fixed phrases ("tư tưởng, đạo đức, phong cách Hồ Chí
    Minh") blanked: they do not end the words that belong to a count."""
    if rules.fixed_phrases.regex is None or "," not in mf:
        return mf
    return rules.fixed_phrases.regex.sub(lambda m: m.group(0).replace(",", " "), mf)


def _is_breakdown(text: str, clause_start: int, clause_before: str, rules: Rules) -> bool:
    """A group that breaks down an earlier count of its sentence: its clause opens a
    parenthesis or names a breakdown ("trong đó", "gồm") before it."""
    opens_paren = clause_start > 0 and text[clause_start - 1] in "(["
    return opens_paren or rules.breakdown.search(clause_before)


def _after_last_comma(text: str) -> str:
    return text[text.rfind(",") + 1 :] if "," in text else text


def _up_to_comma(text: str) -> str:
    """Text up to its first comma, a comma at the very start kept (", sinh hoạt tại …")."""
    lead = len(text) - len(text.lstrip(" ,"))
    rest = text[lead:]
    return text[:lead] + (rest[: rest.find(",")] if "," in rest else rest)


def _before_first_comma(text: str) -> str:
    return text[: text.find(",")] if "," in text else text


def _organization(text: str, orgs: list[dict], start: int, before: int) -> tuple[str | None, str | None]:
    """The organization (and its level) the sentence names nearest before ``before``,
    else the area it speaks of ("toàn tỉnh")."""
    i = bisect.bisect_left(orgs, before, key=lambda org: org["start"])  # orgs are in text order
    best = orgs[i - 1] if i and orgs[i - 1]["start"] >= start else None
    if best is not None:
        return best["name"], best["level"]
    area = None
    for m in _AREA.finditer(text, start, before):
        area = m.group(0)
    return area, None


def _year(mf: str) -> int | None:
    """The first year written as "năm 2023" or at the end of a date ("10/2023")."""
    for m in _YEAR_DIGITS.finditer(mf):
        at = m.start()
        if at >= 2 and mf[at - 1] in "/.-" and mf[at - 2].isdigit():
            return int(m.group(0))
        head = mf[max(0, at - 12) : at]
        word = head.rstrip()
        word_start = at - (len(head) - len(word)) - 3
        if len(word) < len(head) and word.endswith("năm") and (word_start == 0 or not _WORD_CHAR.match(mf, word_start - 1)):
            return int(m.group(0))
    return None


_WORD_CHAR = re.compile(r"\w")


def _year_and_period(sentence: str, mf: str) -> tuple[int | None, str | None]:
    """Year and reporting period a sentence states (``mf`` is its match form)."""
    found = [m for m in (_PERIOD_DIGIT.search(mf), _PERIOD_WORD.search(mf)) if m]
    period = min(found, key=lambda m: m.start()) if found else None
    return _year(mf), (sentence[period.start() : period.end()] if period else None)


def _number_value(value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(round(value)) if abs(value - round(value)) < 1e-6 or value >= 1000 else value


def extract_mentions(text: str, rules: Rules, doc_id: str | None = None, max_rows: int | None = None) -> list[dict]:
    """All indicator mentions of one document text, as dicts of ``MENTION_COLUMNS``; with ``max_rows``,
    reading stops at the first sentence that reaches it (a bound on the work a hostile page costs)."""
    mf = match_form(text)
    rows: list[dict] = []
    orgs: list[dict] | None = None  # found lazily: most sentences have no mention
    units, implied = _candidates(mf, rules)
    if not units and not implied:
        return rows
    cf = _without_fixed_commas(mf, rules)  # where the words around a count are read
    for s_start, s_end in split_sentences(text):
        if max_rows is not None and len(rows) >= max_rows:
            break
        # Only sentences with a number next to a unit (or a unit named before a number) can hold a mention.
        cued = _any_between(implied, s_start, s_end)
        if not cued and not _any_between(units, s_start, s_end):
            continue
        mentions = _find_mentions(text, mf, s_start, s_end, rules, implied_here=cued or not rules.implied_cued)
        if not mentions:
            continue
        if orgs is None:
            orgs = find_organizations(text)
            main = main_organization(orgs)
            main_level = next((o["level"] for o in orgs if o["name"] == main), None)
        sentence = text[s_start:s_end]
        sentence_mf = mf[s_start:s_end]
        year, period = _year_and_period(sentence, sentence_mf)
        groups = _groups(mentions, mf, rules)
        carried = ""  # the words of the previous group in the sentence, for a breakdown of it
        for g, group in enumerate(groups):
            clause_start, clause_end = group[0].clause
            previous_end = groups[g - 1][-1].unit_end if g and groups[g - 1][-1].clause == group[0].clause else clause_start
            next_start = groups[g + 1][0].lead if g + 1 < len(groups) and groups[g + 1][0].clause == group[0].clause else clause_end
            group_start, group_end = group[0].lead, group[-1].unit_end
            head = _after_last_comma(cf[previous_end:group_start])
            clause_before = cf[clause_start:group_start]
            following_text = cf[group_end:max(group_end, next_start)]
            # A passive verb after the counts reaches over commas: "4 cá nhân được tỉnh, huyện khen thưởng".
            after = following_text if rules.passive.starts(following_text) else _before_first_comma(following_text)
            inherited = carried if g and _is_breakdown(text, clause_start, clause_before, rules) else ""
            carried = f"{inherited} {head} {after}"
            organization, level = _organization(text, orgs, s_start, group_start)
            source = "sentence" if organization else None
            if organization is None and main is not None:
                organization, level, source = main, main_level, "document"
            subject = (organization, level, source)
            for i, mention in enumerate(group):
                following = group[i + 1].lead if i + 1 < len(group) else max(mention.unit_end, next_start)
                after_unit = _PAREN_ABBREV.sub("", cf[mention.unit_end : max(mention.unit_end, following)])
                context = _Context(head=head, after=after, after_unit=_up_to_comma(after_unit),
                                   sentence=sentence_mf, clause=clause_before, inherited=inherited)
                base_flags = [name for name, pattern in rules.flags if _fits(pattern, context)]
                if mention.unit in rules.unit_flags:
                    base_flags.append(rules.unit_flags[mention.unit])
                role = next((name for name, pattern in rules.roles
                             if (not pattern.units or mention.unit in pattern.units) and _fits(pattern, context)), None)
                for indicator, rule_id in classify(mention.unit, context, rules):
                    rows.extend(_rows(doc_id, indicator, rule_id, mention, role, base_flags, subject, year, period, sentence, text,
                                      rules.ratio_total_is_target))
    return rows


def _rows(doc_id, indicator, rule_id, mention, role, base_flags, subject, year, period, sentence, text,
          ratio_targets=frozenset()) -> list[dict]:
    number = mention.number
    flags = list(base_flags)
    if number.kind == "vague":
        flags.append("vague")
    name = f"{indicator}_{role}" if role else indicator
    base = {
        "doc_id": doc_id, "indicator": name, "unit": mention.unit, "qualifier": number.qualifier,
        "organization": subject[0], "organization_level": subject[1], "organization_source": subject[2], "year": year, "period": period, "sentence": sentence,
        "matched_text": text[mention.lead : mention.unit_end], "start": mention.lead, "end": mention.unit_end,
        "rule_id": rule_id, "unit_text": mention.unit_text, "lower_bound": number.lower_bound,
    }
    if number.kind == "ratio":
        total = {**base, "value": _number_value(number.denominator), "flags": ",".join(flags + ["ratio_total"])}
        if not role and indicator in ratio_targets:  # "kết nạp 143/150 đảng viên": 150 is the plan
            total["indicator"] = f"{indicator}_target"
        return [{**base, "value": _number_value(number.value), "flags": ",".join(flags + ["ratio", "subset"])}, total]
    return [{**base, "value": _number_value(number.value), "flags": ",".join(dict.fromkeys(flags))}]
