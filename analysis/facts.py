"""Facts step: mentions + documents (+ the indicator catalog) in, facts out.

A fact is one countable mention with what an analyst needs to count it:

* its **subject** — the organization the sentence speaks of, normalized to one
  identity ("Đảng uỷ xã Phú Sơn" = "Đảng bộ xã Phú Sơn" → ``org_key``
  ``commune:<gazetteer code>``, name "Đảng bộ xã Phú Sơn"), its **level**
  (national, region, province, bloc, district, enterprise, commune, grassroots,
  cell) and its **administrative unit** (gazetteer code and name; province
  before and after 2025). A region ("toàn vùng Tây Nguyên") or the nation is
  not a province: such facts have no province.
* its **period** (``analysis.periods``): ``period_start``/``period_end``,
  ``year`` (when the period lies in one calendar year) and ``period_source``.
* whether it is **counted** and, if not, the ``reason``: an excluding flag
  (subset, proposal, ratio, lumped, vague …), a change/target/per-unit role, an
  off-topic article, a near-duplicate article (MinHash LSH over word shingles,
  ``datasketch``), the same fact in another article or sentence, a multi-year
  total of a flow, a breakdown of a larger stock figure of the same subject.

``build_facts(mentions, documents, rules)`` gives the frame (``FACT_COLUMNS``);
``analysis.aggregate`` turns counted facts into province × year and
organization × year tables. ``write_derived(generation)`` computes the facts and
those tables from a finished store generation (called by ``Store.commit``).
The vocabulary (levels, areas, regions, counting reasons) is
``analysis/rules/facts.yaml``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from .clean.normalize import UPPER, ascii_fold, match_form
from .extract.rules import Indicator, Rules, load_rules
from .patterns import phrase_union
from .periods import Period, load_facts_rules, period_of, url_date, vocabulary
from .periods import document_year as text_year

FACT_COLUMNS = [
    "fact_id", "doc_id", "indicator", "kind", "value", "qualifier", "flags", "organization", "org_key", "level",
    "subject_source", "unit_code", "unit_name", "unit_code_2025", "unit_name_2025", "province", "province_2025", "year", "period_kind", "period_start",
    "period_end", "period_text", "period_source", "counted", "reason", "same_as", "url", "title", "published",
    "sentence", "matched_text", "start", "rule_id",
]
CATALOG_COLUMNS = ["indicator", "order", "kind", "measure_vi", "measure_en", "label_vi", "label_en"]


# --- the catalog -------------------------------------------------------------
def catalog(rules: Rules | str | Path | None = None) -> pd.DataFrame:
    """The indicator catalog of a rules file: name, order, kind, measure and labels in vi/en."""
    compiled = rules if isinstance(rules, Rules) else load_rules(rules)
    rows = []
    for order, indicator in enumerate(compiled.indicators):
        measure = dict(indicator.measure)
        rows.append({"indicator": indicator.name, "order": order, "kind": indicator.kind,
                     "measure_vi": measure.get("vi", ""), "measure_en": measure.get("en", ""),
                     "label_vi": indicator.label_in("vi"), "label_en": indicator.label_in("en")})
    return pd.DataFrame(rows, columns=CATALOG_COLUMNS)


def _kinds(rules: Rules) -> dict[str, Indicator]:
    return {i.name: i for i in rules.indicators}


# --- subjects ----------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class SubjectVocabulary:
    regex: re.Pattern[str]  # every subject phrase, in match form
    phrase_level: dict[str, str]  # match-form phrase -> level (or "city", "organization", "place:<level>")
    regions: dict[str, str]  # match-form region name -> as written
    enterprise: re.Pattern[str]
    central_cities: frozenset[str]
    nesting: tuple[str, ...]


_NAME = re.compile(r"(?:[ \t]+(?:" + UPPER + r")[^\s,.;:()“”\"]*){1,5}")
_NAME_START = re.compile(r"\s+(?:" + UPPER + ")")
# A unit phrase that follows a number is the unit, not the subject: "7.805 chi bộ trực thuộc đảng bộ cơ sở".
_CLAUSE_START = re.compile(r"(?:^|[,;:.()])\s*(?:[^\s,;:.()]+\s+){0,2}$")
_AFTER_NUMBER = re.compile(r"\d(?:[\d.,]*\d)?\s+(?:(?!(?:và|với|cùng|của|tại)\s)[^\s,;:.()\d]+\s+){0,4}$")
# An enterprise's or agency's name: words up to punctuation, a number or a verb ("Công ty Điện lực Bến Tre có …").
_WORD = r"(?!(?:có|đã|đang|kết|tổ|trao|với|và|là|được|hiện|tại|đạt|gồm|cùng|của)(?!\w))[^\s,;:.()\d“”\"]+"
_ENTERPRISE_NAME = re.compile(rf"\s+({_WORD}(?:[ \t]+{_WORD}){{0,6}})")


@lru_cache(maxsize=4)
def subject_vocabulary(path: str | None = None) -> SubjectVocabulary:
    data = load_facts_rules(path)
    where = f"{path or 'facts.yaml'}"
    phrase_level: dict[str, str] = {}
    for level, phrases in (data.get("areas") or {}).items():
        for phrase in phrases:
            phrase_level.setdefault(" ".join(match_form(str(phrase)).split()), level)
    for level, phrases in (data.get("place_words") or {}).items():
        for phrase in phrases:
            phrase_level.setdefault(" ".join(match_form(str(phrase)).split()), f"place:{level}")
    regions = {" ".join(match_form(str(r)).split()): str(r) for r in data.get("regions") or []}
    if not phrase_level or not regions:
        raise ValueError(f"{where}: 'areas', 'place_words' and 'regions' are needed")
    nesting = tuple(data.get("nesting") or ())
    if not nesting:
        raise ValueError(f"{where}: 'nesting' is needed")
    regex = re.compile("(?P<region>" + phrase_union(regions) + ")|(?P<phrase>" + phrase_union(phrase_level) + ")")
    return SubjectVocabulary(regex, phrase_level, regions, re.compile(phrase_union(match_form(str(w)) for w in data["enterprise"])),
                             frozenset(match_form(str(c)) for c in data.get("central_cities") or ()), nesting)


@dataclass
class Subject:
    level: str | None
    name: str | None  # the place or proper name ("Phú Sơn", "Tây Nguyên"), if written
    written: str  # the words as written ("Đảng uỷ xã Phú Sơn")
    start: int
    end: int


def find_subjects(sentence: str, vocab: SubjectVocabulary | None = None) -> list[Subject]:
    """Every subject phrase of a sentence, in order, with its level (None when the phrase
    alone does not tell, e.g. a bare "Đảng bộ" without an enterprise name)."""
    vocab = vocab or subject_vocabulary()
    mf = match_form(sentence)
    found: list[Subject] = []
    for m in vocab.regex.finditer(mf):
        end = m.end()
        name_match = _NAME.match(sentence, end)
        name = " ".join(name_match.group(0).split()) if name_match else None
        if m.group("region"):
            found.append(Subject("region", vocab.regions[" ".join(m.group("region").split())], sentence[m.start():end],
                                 m.start(), end))
            continue
        if _AFTER_NUMBER.search(mf[: m.start()]):
            continue
        level = vocab.phrase_level[" ".join(m.group("phrase").split())]
        if level == "national" and not _CLAUSE_START.search(mf[: m.start()]):
            continue  # "tỉnh đầu tiên trong cả nước", "giao lưu toàn quốc": not who the figure is about
        if name_match:
            end = name_match.end()
        region = vocab.regions.get(match_form(name)) if name else None
        if level.startswith("place:"):
            if not name:
                continue  # "tại xã", "các huyện": no place named
            level = level.removeprefix("place:")
        if level in ("organization", "cell"):
            words = _ENTERPRISE_NAME.match(sentence, m.end())
            named = words.group(1).strip() if words else ""
            if words and named and vocab.enterprise.match(match_form(named)):  # "Đảng bộ Công ty Điện lực Bến Tre"
                name, end = named, words.end()
                level = "cell" if level == "cell" else "enterprise"
            elif level == "organization":
                continue
        if level == "bloc" and name:  # "Đảng bộ Khối Doanh nghiệp tỉnh": the bloc's name goes on in lower case
            words = _ENTERPRISE_NAME.match(sentence, m.end())
            if words:
                name, end = words.group(1).strip(), words.end()
        if level == "cell" and not name:
            continue
        if level in ("bloc", "grassroots") and not name:
            continue
        if level == "region" and region is None and name:
            region = name
        found.append(Subject(level, region if level == "region" else name, sentence[m.start():end], m.start(), end))
    return found


_COORDINATED = re.compile(r"\s*(?:,|và|cùng|cùng với|với)?\s*(?:các\s+)?$")


def subject_at(sentence: str, at: int, vocab: SubjectVocabulary | None = None) -> Subject | None:
    """The subject nearest before offset ``at`` (where the figure is).

    Of subjects written as a list ("Tỉnh ủy Long An, Thành ủy Tân An và các Huyện ủy … trao
    Huy hiệu Đảng cho 220 đảng viên") the figure is the whole list's: the highest level stands for it.
    """
    vocab = vocab or subject_vocabulary()
    before = [s for s in find_subjects(sentence, vocab) if s.start < at]
    if not before:
        return None
    listed = [before[-1]]
    for previous in reversed(before[:-1]):
        if not _COORDINATED.match(match_form(sentence[previous.end : listed[-1].start])):
            break
        listed.append(previous)
    rank = {level: i for i, level in enumerate(vocab.nesting)}
    return min(listed, key=lambda s: rank.get(s.level or "", len(rank)))


# --- the gazetteer -------------------------------------------------------------
@dataclass(frozen=True)
class Unit:
    level: str
    code: str | None
    name: str  # "Xã Phú Sơn"
    short: str
    province: str | None
    province_2025: str | None
    code_2025: str | None = None  # after the 2025 reform (communes and provinces; districts were abolished)
    name_2025: str | None = None


def _new_wards(data) -> dict[str, tuple[str, str]]:
    """Pre-2025 ward key ("tinhbentre_huyencholach_xaphuson") → (post-2025 code, name), from the 2025 conversion table."""
    converter, parser = data("converter_2025.json"), data("parser_from_2025.json")
    new_province = {old: new for new, olds in converter["DICT_PROVINCE"].items() for old in olds}
    wards = parser["DICT_PROVINCE_WARD_NO_ACCENTED"]
    out: dict[str, tuple[str, str]] = {}
    for new_pkey, by_ward in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_wkey, olds in by_ward.items():
            ward = wards.get(new_pkey, {}).get(new_wkey)
            for old in olds:
                if ward:
                    out[old] = (ward["wardCode"], ward["ward"])
    for _, by_old in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old, options in by_old.items():
            default = next((o for o in options if o.get("isDefaultNewWard")), options[0] if options else None)
            ward = wards.get(new_province.get(old.split("_")[0], ""), {}).get(default["newWardKey"]) if default else None
            if ward:  # a divided ward: the part the conversion table takes as its successor
                out.setdefault(old, (ward["wardCode"], ward["ward"]))
    return out


@lru_cache(maxsize=1)
def _units() -> dict:
    """Gazetteer codes from vietnamadminunits (the same data as ``analysis.places``)."""
    from .places import admin_data, gazetteer

    legacy = admin_data("parser_legacy.json")
    new_wards = _new_wards(admin_data)
    g = gazetteer()
    provinces = {}
    for p in g.provinces.values():
        provinces[match_form(p["name"])] = Unit("province", p["code"], p["full"], p["name"], p["name"], p["province_2025"],
                                                p.get("code_2025"), p["province_2025"])
    districts: dict[str, list[tuple[str, Unit]]] = {}
    communes: dict[str, list[tuple[str, str, Unit]]] = {}
    for pkey, items in legacy["DICT_PROVINCE_DISTRICT"].items():
        p = g.provinces[pkey]
        for d in items.values():
            unit = Unit("district", f"{p['code']}.{d['districtCode']}", d["district"], d["districtShort"], p["name"], p["province_2025"])
            districts.setdefault(match_form(d["districtShort"]), []).append((pkey, unit))
    for pkey, by_district in legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"].items():
        p = g.provinces[pkey]
        for dkey, wards in by_district.items():
            district_code = legacy["DICT_PROVINCE_DISTRICT"][pkey][dkey]["districtCode"]
            for wkey, w in wards.items():
                if not isinstance(w.get("wardShort"), str):
                    continue
                # A commune's code starts with its district's: nesting is a prefix test.
                code_2025, name_2025 = new_wards.get(f"{pkey}_{dkey}_{wkey}", (None, None))
                unit = Unit("commune", f"{p['code']}.{district_code}.{w['wardCode']}", w["ward"], w["wardShort"], p["name"],
                            p["province_2025"], code_2025, name_2025)
                communes.setdefault(match_form(w["wardShort"]), []).append((pkey, dkey, unit))
    keys = {match_form(p["name"]): key for key, p in g.provinces.items()}
    return {"provinces": provinces, "districts": districts, "communes": communes, "province_keys": keys,
            "by_name": g.province_by_name}


def _prefixes(name: str) -> list[str]:
    words = match_form(name).split()
    return [" ".join(words[:n]) for n in range(len(words), 0, -1)]


def resolve_unit(level: str | None, name: str | None, province: str | None, district: str | None = None) -> Unit | None:
    """The gazetteer unit a subject names, preferring the article's province (and district)."""
    if level is None:
        return None
    u = _units()
    if level == "province":
        if name:
            for prefix in _prefixes(name):
                key = u["by_name"].get(prefix)
                if key:
                    return u["provinces"][match_form(_gazetteer_name(key))]
        return u["provinces"].get(match_form(province)) if province else None
    pkey = u["province_keys"].get(match_form(province)) if province else None
    if level == "district":
        if not name:
            if not district:
                return None
            name = re.sub(r"^(?:huyện|quận|thị xã|thành phố)\s+", "", district, flags=re.IGNORECASE)
        for prefix in _prefixes(name):
            options = u["districts"].get(prefix) or []
            chosen = [unit for k, unit in options if k == pkey] or ([unit for _, unit in options] if len(options) == 1 else [])
            if chosen:
                return chosen[0]
        return None
    if level == "commune" and name:
        for prefix in _prefixes(name):
            options = u["communes"].get(prefix) or []
            in_province = [(d, unit) for k, d, unit in options if k == pkey]
            if district and len(in_province) > 1:  # a name repeated in the province: the article's district decides
                key = re.sub(r"[^a-z0-9]", "", ascii_fold(district).lower())
                in_province = [(d, unit) for d, unit in in_province if d == key] or in_province
            chosen = [unit for _, unit in in_province] or ([unit for _, _, unit in options] if len(options) == 1 else [])
            if chosen:
                return chosen[0]
    return None


def _gazetteer_name(key: str) -> str:
    from .places import gazetteer

    return gazetteer().provinces[key]["name"]


@dataclass
class Identity:
    organization: str | None
    org_key: str | None
    level: str | None
    unit: Unit | None
    province: str | None
    province_2025: str | None


def identify(subject: Subject | None, document: dict, vocab: SubjectVocabulary) -> Identity:
    """One identity for a subject: level, gazetteer unit, canonical name and key."""
    doc_province = document.get("province") if isinstance(document.get("province"), str) else None
    doc_province_2025 = document.get("province_2025") if isinstance(document.get("province_2025"), str) else None
    doc_district = document.get("district") if isinstance(document.get("district"), str) else None
    doc_commune = document.get("commune") if isinstance(document.get("commune"), str) else None
    if subject is None or subject.level is None:
        return Identity(None, None, None, None, doc_province, doc_province_2025)
    level, name = subject.level, subject.name
    if level == "national":
        return Identity("Toàn quốc", "national", "national", None, None, None)
    if level == "region":
        region = name or "?"
        return Identity(f"Vùng {region}", f"region:{match_form(region)}", "region", None, None, None)
    if level == "city":
        city = match_form(name) if name else match_form(doc_province or "")
        city = re.sub(r"^(?:tp\.?|thành phố)\s*", "", city)
        level = "province" if city in vocab.central_cities or (not name and doc_province and match_form(doc_province) in vocab.central_cities) else "district"
    if level == "commune" and not name and doc_commune:
        name = re.sub(r"^(?:xã|phường|thị trấn)\s+", "", doc_commune, flags=re.IGNORECASE)
    unit = resolve_unit(level, name, doc_province, doc_district)
    province = unit.province if unit else doc_province
    province_2025 = unit.province_2025 if unit else doc_province_2025
    if unit is not None:  # "Đảng bộ xã Phú Sơn", "Đảng bộ huyện Chợ Lách", "Đảng bộ tỉnh Bến Tre"
        organization = f"Đảng bộ {unit.name[0].lower()}{unit.name[1:]}"
        return Identity(organization, f"{level}:{unit.code}", level, unit, province, province_2025)
    written = " ".join(subject.written.split())
    label = name or written
    key_place = match_form(province or "?")
    return Identity(written if name else f"{written} ({province or '?'})", f"{level}:{key_place}:{match_form(label)}", level, None,
                    province, province_2025)


# --- near duplicates ---------------------------------------------------------
class NearDuplicates:
    """Documents added one by one; ``add`` says which earlier one a document nearly copies.

    Syndicated copies differ in chrome, bylines and small edits: documents are
    compared by MinHash signatures of their word shingles and grouped with
    locality-sensitive hashing (``datasketch``), so the cost grows with the corpus,
    not with its square, and only the signatures are kept (not the texts).
    """

    def __init__(self, shingle_words: int = 5, permutations: int = 128, threshold: float = 0.8, max_words: int = 20000):
        from datasketch import MinHash, MinHashLSH

        self.shingle_words, self.permutations, self.max_words = shingle_words, permutations, max_words
        self.lsh = MinHashLSH(threshold=threshold, num_perm=permutations)
        self.order: dict[str, int] = {}
        # datasketch draws the same permutations from its fixed seed for every MinHash; drawing them once per
        # finder instead of once per document was about half the signature time.
        template = MinHash(num_perm=permutations)
        self._permutations, self._scheme = template.permutations, template.scheme

    def add(self, doc_id: str, text: str | None) -> str | None:
        """The first earlier document nearly the same as this one (None if there is none)."""
        from datasketch import MinHash

        words = re.findall(r"\w+", match_form(text or ""))[: self.max_words]  # punctuation and spacing edits do not count
        if len(words) < self.shingle_words:
            return None
        signature = MinHash(num_perm=self.permutations, permutations=self._permutations, scheme=self._scheme)
        signature.update_batch([" ".join(words[i : i + self.shingle_words]).encode("utf-8")
                                for i in range(len(words) - self.shingle_words + 1)])
        matches = self.lsh.query(signature)  # only originals are inserted
        if matches:
            return min(matches, key=self.order.__getitem__)
        self.order[doc_id] = len(self.order)
        self.lsh.insert(doc_id, signature)
        return None

    @classmethod
    def from_rules(cls) -> NearDuplicates:
        near = _counting_rules().get("near_duplicates") or {}
        return cls(int(near.get("shingle_words", 5)), int(near.get("permutations", 128)), float(near.get("threshold", 0.8)),
                   int(near.get("max_words", 20000)))


def near_duplicates(texts: dict[str, str], shingle_words: int = 5, permutations: int = 128,
                    threshold: float = 0.8) -> dict[str, str]:
    """doc_id → the first document (in the given order) whose text is nearly the same (``NearDuplicates``)."""
    finder = NearDuplicates(shingle_words, permutations, threshold)
    found = {doc_id: finder.add(doc_id, text) for doc_id, text in texts.items()}
    return {doc_id: original for doc_id, original in found.items() if original}


# --- facts ---------------------------------------------------------------------
def _counting_rules(path: str | None = None) -> dict:
    section = load_facts_rules(path).get("counting") or {}
    for key in ("excluded_flags", "excluded_roles"):
        if not isinstance(section.get(key), dict):
            raise ValueError(f"facts rules: counting.{key} must be a mapping of name to reason")
    return section


def _base(indicator: str, catalog_names: set[str], roles: dict) -> tuple[str | None, str | None]:
    """The catalog indicator and the role of a mention's indicator ("models_change" → models, change)."""
    if indicator in catalog_names:
        return indicator, None
    for role in roles:
        if indicator.endswith(f"_{role}") and indicator.removesuffix(f"_{role}") in catalog_names:
            return indicator.removesuffix(f"_{role}"), role
    return None, None


def _position(sentence: str, matched: object) -> int | None:
    if isinstance(matched, str) and matched and matched in sentence:
        return sentence.index(matched)
    return None


def _date_or_none(value: object) -> dt.date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and value != value):
        return None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    return None if pd.isna(stamp) else stamp.date()


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def build_facts(mentions: pd.DataFrame, documents: pd.DataFrame, rules: Rules | str | Path | None = None,
                duplicates: dict[str, str] | None = None, years: dict[str, int | None] | None = None) -> pd.DataFrame:
    """One fact per indicator mention (``FACT_COLUMNS``), counted or not with its reason.

    ``documents`` gives each fact its article (``published``, ``source`` as URL,
    ``title``, places) and, when it has a ``text`` column, the year an undated
    article reports on and its near-duplicates; ``duplicates`` (doc_id → the
    copy's original) and ``years`` (doc_id → the year an undated article reports
    on) replace those searches when given.
    """
    compiled = rules if isinstance(rules, Rules) else load_rules(rules)
    indicators = _kinds(compiled)
    counting = _counting_rules()
    roles = counting["excluded_roles"]
    svocab, pvocab = subject_vocabulary(), vocabulary()
    docs = documents.drop_duplicates("doc_id").set_index("doc_id", drop=False) if len(documents) else documents
    doc_rows = {d: row for d, row in zip(docs.index, docs.to_dict("records"), strict=False)} if len(docs) else {}
    if duplicates is None:
        duplicates = {}
        if "text" in docs.columns:
            finder = NearDuplicates.from_rules()
            originals = {d: finder.add(d, _text(r.get("text"))) for d, r in doc_rows.items()}
            duplicates = {d: original for d, original in originals.items() if original}
    for doc_id, row in doc_rows.items():  # exact copies found by the store
        original = row.get("duplicate_of")
        if isinstance(original, str) and original and doc_id not in duplicates:
            duplicates[doc_id] = original
    years = dict(years or {})
    rows: list[dict] = []
    per_document: dict[str, int] = {}  # a fact id's last part counts within its document, so ids are stable across builds
    if mentions is None or mentions.empty:
        return pd.DataFrame(columns=FACT_COLUMNS).pipe(_typed)
    m = mentions[mentions["indicator"].map(lambda i: _base(str(i), set(indicators), roles)[0] is not None)]
    m = m[m["value"].notna() | m["flags"].fillna("").str.contains("vague")]
    off_topic = m["off_topic"].fillna(False).astype(bool) if "off_topic" in m.columns else pd.Series(False, index=m.index)
    names = set(indicators)
    sentences_of: dict[str, list[str]] | None = None  # each document's sentences, made once when a year must come from them
    # Rows as dicts, not iterrows' Series: a Series per mention was a quarter of the time.
    for index, mention, is_off in zip(m.index, m.to_dict("records"), off_topic, strict=False):
        doc_id = mention["doc_id"]
        document = doc_rows.get(doc_id, {"doc_id": doc_id, "province": mention.get("province"),
                                         "province_2025": mention.get("province_2025")})
        base, role = _base(str(mention["indicator"]), names, roles)
        assert base is not None
        kind = indicators[base].kind
        sentence = _text(mention.get("sentence"))
        at = _position(sentence, mention.get("matched_text"))
        published = _date_or_none(document.get("published"))
        if doc_id not in years:
            if sentences_of is None and not published and not _text(document.get("text")):
                sentences_of = {d: list(dict.fromkeys(_text(x) for x in group))
                                for d, group in mentions.groupby("doc_id", sort=False)["sentence"]}
            years[doc_id] = None if published else text_year(_text(document.get("text")) or " ".join(
                (sentences_of or {}).get(doc_id, [])), pvocab)
        # Without a stated publication date, the date in the article's address (if any) stands for it.
        dated = published or (url_date(document.get("source")) if not years[doc_id] else None)
        period = period_of(sentence, at, dated, years[doc_id], pvocab)
        if period.source == "published" and not published:
            period = Period(period.kind, period.start, period.end, period.text, "url")
        subject, source = subject_at(sentence, len(sentence) if at is None else at, svocab), "sentence"
        if subject is not None and subject.level == "whole":  # "toàn Đảng bộ": the article's organization
            subject = None
        if subject is None and mention.get("organization_source") == "document" and isinstance(mention.get("organization"), str):
            found = [s for s in find_subjects(mention["organization"], svocab) if s.level in ("province", "city", "district", "commune", "bloc")]
            subject, source = (found[-1] if found else None), "document"
        identity = identify(subject, document, svocab)
        flags = [f for f in _text(mention.get("flags")).split(",") if f]
        reason = _exclusion(base, role, kind, flags, counting, bool(is_off), period)
        per_document[doc_id] = number = per_document.get(doc_id, -1) + 1
        rows.append({
            "fact_id": f"{doc_id}:{int(mention['start']) if pd.notna(mention.get('start')) else index}:{mention['indicator']}:{number}",
            "doc_id": doc_id, "indicator": str(mention["indicator"]), "kind": kind, "value": mention["value"],
            "qualifier": mention.get("qualifier"), "flags": ",".join(flags), "organization": identity.organization,
            "org_key": identity.org_key, "level": identity.level,
            "subject_source": source if identity.level else None,
            "unit_code": identity.unit.code if identity.unit else None, "unit_name": identity.unit.name if identity.unit else None,
            "unit_code_2025": identity.unit.code_2025 if identity.unit else None,
            "unit_name_2025": identity.unit.name_2025 if identity.unit else None,
            "province": identity.province, "province_2025": identity.province_2025,
            "year": _year_of(period, kind), "period_kind": period.kind, "period_start": period.start, "period_end": period.end,
            "period_text": period.text, "period_source": period.source, "counted": reason is None, "reason": reason,
            "same_as": None, "url": _url(document.get("source")), "title": document.get("title"),
            "published": published, "sentence": sentence, "matched_text": mention.get("matched_text"),
            "start": mention.get("start"), "rule_id": mention.get("rule_id"),
        })
    facts = pd.DataFrame(rows, columns=FACT_COLUMNS)
    facts = _mark_copies(facts, duplicates)
    facts = _mark_repeats(facts)
    facts = _mark_breakdowns(facts)
    return _typed(facts)


def _year_of(period: Period, kind: str) -> int | None:
    """A stock stands at a date (the period's end, not later than known); a flow has a year only within one."""
    if kind == "stock":
        return period.end.year if period.end else None
    return period.year


def _url(source: object) -> str | None:
    return source if isinstance(source, str) and "://" in source else None


def _exclusion(base: str, role: str | None, kind: str, flags: list[str], counting: dict, off_topic: bool,
               period: Period) -> str | None:
    """Why a fact is not counted (None: it is)."""
    if role:
        return counting["excluded_roles"][role]
    if off_topic:
        return "article off topic"
    for flag in flags:
        if flag in counting["excluded_flags"]:
            return counting["excluded_flags"][flag]
        if kind == "stock" and flag in (counting.get("stock_excluded_flags") or {}):
            return counting["stock_excluded_flags"][flag]
        if flag in ((counting.get("indicator_excluded_flags") or {}).get(base) or {}):
            return counting["indicator_excluded_flags"][base][flag]
    if kind == "flow" and period.kind == "range" and period.start is None:
        return f"total over several years ({period.text}), not one year"
    if kind == "flow" and period.multi_year:
        return f"total over {period.start.year}–{period.end.year}, not one year" if period.start and period.end else "several years"
    if period.start is None:
        return "no date: neither the sentence, the article nor its address states one"
    return None


def _event_key(facts: pd.DataFrame) -> pd.Series:
    """What makes two facts the same event: indicator, value, subject (else province and level) and period."""
    subject = facts["org_key"].fillna("?" + facts["province"].fillna("?"))
    when = facts["year"].astype("string").fillna(facts["period_end"].astype("string")).fillna("?")
    return facts["indicator"] + "|" + facts["value"].astype("string").fillna("~") + "|" + subject + "|" + when


def _mark_copies(facts: pd.DataFrame, duplicates: dict[str, str]) -> pd.DataFrame:
    """Facts of a near-duplicate article are not counted: its original counts them."""
    if facts.empty or not duplicates:
        return facts
    copy = facts["doc_id"].map(duplicates)
    hit = copy.notna() & facts["counted"]
    facts.loc[hit, "counted"] = False
    facts.loc[hit, "reason"] = "copy of another article"
    facts.loc[hit, "same_as"] = copy[hit]
    return facts


def _mark_repeats(facts: pd.DataFrame) -> pd.DataFrame:
    """The same event reported twice (in a headline and the body, or by two articles) counts once:
    the first in the facts' order (documents in load order) stands for it."""
    if facts.empty:
        return facts
    key = _event_key(facts)
    counted = facts["counted"].astype(bool)
    first = facts[counted].groupby(key[counted])["fact_id"].transform("first")
    repeat = first[first != facts.loc[first.index, "fact_id"]].index
    same_doc = facts.loc[repeat, "doc_id"].to_numpy() == facts.set_index("fact_id").loc[first[repeat], "doc_id"].to_numpy()
    facts.loc[repeat, "counted"] = False
    facts.loc[repeat, "reason"] = ["repeated in the same article" if same else "the same fact in another article"
                                   for same in same_doc]
    facts.loc[repeat, "same_as"] = first[repeat].to_numpy()
    return facts


def _mark_breakdowns(facts: pd.DataFrame) -> pd.DataFrame:
    """A stock has one level per subject and date: smaller figures of the same subject, indicator and
    date in one article are its breakdowns ("755 tổ chức cơ sở đảng, 369 chi bộ cơ sở, 386 đảng bộ cơ sở")."""
    if facts.empty:
        return facts
    stock = (facts["kind"] == "stock") & facts["counted"].astype(bool) & facts["org_key"].notna()
    if not stock.any():
        return facts
    s = facts[stock]
    key = s["doc_id"] + "|" + s["indicator"] + "|" + s["org_key"] + "|" + s["period_end"].astype("string").fillna("?")
    largest = s.groupby(key)["value"].transform("max")
    smaller = s.index[s["value"] < largest]
    facts.loc[smaller, "counted"] = False
    facts.loc[smaller, "reason"] = "part of a larger figure of the same organization and date"
    return facts


def _typed(facts: pd.DataFrame) -> pd.DataFrame:
    out = facts.astype({"year": "Int64", "counted": "boolean", "value": "float64"})
    for column in ("period_start", "period_end", "published"):
        out[column] = pd.to_datetime(out[column], errors="coerce").dt.date
    return out.reset_index(drop=True)


# --- the store ------------------------------------------------------------------


DERIVED_INPUTS = "derived-inputs.txt"  # in a generation: the digest of what its derived tables were computed from


def derived_inputs(generation: Path) -> str:
    """Digest of everything the derived tables of a generation are computed from: the package
    version, the rules it saved, and every document's id, load order, record key (which stands
    for its rows and the build's fingerprint) and exact copy, from the generation's index."""
    import hashlib

    import pyarrow.parquet as pq

    from . import __version__

    digest = hashlib.sha256(__version__.encode("utf-8") + b"\0")
    saved = generation / "rules.yaml"
    digest.update(saved.read_bytes() if saved.exists() else b"(packaged rules)")
    index = generation / "index" / "data.parquet"
    if index.exists():
        table = pq.read_table(index, columns=["doc_id", "seq", "record_key", "duplicate_of"]).sort_by("seq")
        for name in table.column_names:
            digest.update(b"\1" + "\0".join(map(str, table.column(name).to_pylist())).encode("utf-8", "surrogatepass"))
    else:
        digest.update(b"(no index)")
    return digest.hexdigest()


def _carry_forward(path: Path, previous: Path | None, inputs: str) -> bool:
    """Link the derived tables of ``previous`` into ``path`` if they were computed from the same inputs."""
    from .store import DERIVED_TABLES, link_or_copy

    if previous is None or not (previous / DERIVED_INPUTS).exists():
        return False
    if (previous / DERIVED_INPUTS).read_text("utf-8").strip() != inputs or not all((previous / t).is_dir() for t in DERIVED_TABLES):
        return False
    for table in DERIVED_TABLES:
        (path / table).mkdir(parents=True, exist_ok=True)
        for file in (previous / table).glob("*.parquet"):
            link_or_copy(file, path / table / file.name)
    return True


def write_derived(generation: str | Path, previous: str | Path | None = None) -> None:
    """Compute ``facts``, ``province_year``, ``organization_year`` and the ``indicators`` catalog
    from a finished generation's Parquet tables and write them beside them.

    The rules are the generation's ``rules.yaml`` when the build saved one (an
    indicator added with ``--rules`` reaches the tables), else the packaged ones.
    Memory: the mentions and the documents' metadata; texts are read one batch at
    a time for the near-duplicate search.

    ``previous``: the generation this one replaces. If its derived tables were
    computed from the same inputs (``derived_inputs``: same documents in the same
    order with the same record keys, same rules and version), they are linked, not
    recomputed: a build that changed only rejections, say, costs nothing here.
    """
    path = Path(generation)
    inputs = derived_inputs(path)
    if not _carry_forward(path, Path(previous) if previous is not None else None, inputs):
        _compute_derived(path)
    (path / DERIVED_INPUTS).write_text(inputs + "\n", "utf-8")


def _compute_derived(path: Path) -> None:
    """``write_derived``'s work: read the generation, compute the tables, write them."""
    import duckdb
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .aggregate import organization_year, province_year
    from .extract.rules import rules_from_text
    from .store import sql_path

    saved = path / "rules.yaml"
    rules = rules_from_text(saved.read_text("utf-8"), str(saved)) if saved.exists() else load_rules()
    def parts(table: str) -> str:  # the table's part files, quoted as the store quotes every path it gives DuckDB
        return sql_path(path / table, "*.parquet")

    with duckdb.connect() as con:
        def read(table: str, select: str = "*") -> pd.DataFrame:
            if not any((path / table).glob("*.parquet")):
                return pd.DataFrame()
            return con.sql(f"SELECT {select} FROM read_parquet({parts(table)}, union_by_name = true)").df()

        documents = read("documents", "seq, doc_id, source, title, published, province, district, commune, province_2025")
        # Load order and exact copies: the generation's index (older stores: duplicates/).
        index_table = next((t for t in ("index", "duplicates") if any((path / t).glob("*.parquet"))), None)
        if index_table and len(documents):
            index = con.sql(f"SELECT * FROM read_parquet({parts(index_table)})").df()
            index = index[[c for c in ("doc_id", "seq", "duplicate_of") if c in index.columns]]
            documents = documents.drop(columns=[c for c in index.columns if c != "doc_id" and c in documents]).merge(
                index, on="doc_id", how="left")
        documents = documents.sort_values("seq") if len(documents) and "seq" in documents else documents
        mentions = read("mentions")
        if len(mentions):  # documents in load order: the first report of a fact is the one that counts
            order = dict(zip(documents["doc_id"], documents["seq"], strict=False)) if len(documents) else {}
            mentions = (mentions.assign(_seq=mentions["doc_id"].map(order)).sort_values(["_seq", "start"], kind="stable")
                        .drop(columns="_seq"))
        # Texts are read a batch at a time: only each one's signature and year are kept.
        finder, duplicates, years = NearDuplicates.from_rules(), {}, {}
        if any((path / "documents").glob("*.parquet")):
            reader = con.sql(f"SELECT doc_id, text FROM read_parquet({parts('documents')}, union_by_name = true) ORDER BY seq")
            for batch in reader.to_arrow_reader(1000) if hasattr(reader, "to_arrow_reader") else reader.fetch_record_batch(1000):
                for doc_id, text in zip(batch.column(0).to_pylist(), batch.column(1).to_pylist(), strict=False):
                    original = finder.add(doc_id, text)
                    if original:
                        duplicates[doc_id] = original
                    years[doc_id] = text_year(text or "")
    facts = build_facts(mentions, documents, rules, duplicates, years) if len(mentions) else _typed(pd.DataFrame(columns=FACT_COLUMNS))
    cat = catalog(rules)
    tables = {"facts": facts, "province_year": province_year(facts, cat), "organization_year": organization_year(facts, cat),
              "indicators": cat}
    for name, frame in tables.items():
        folder = path / name
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
        if table.num_rows == 0:
            table = pa.Table.from_pandas(frame.astype("string") if len(frame.columns) else frame, preserve_index=False)
        pq.write_table(table, folder / "data.parquet")
