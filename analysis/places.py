"""Places step: which province, district and commune an article reports on.

In: document rows (``text``, ``title``, ``chrome_text``, ``source``). Out:
``locate_documents(documents)`` adds ``province`` (pre-2025 name, e.g.
"Bến Tre"), ``province_code``, ``district``, ``commune``, ``province_2025``
(the province after the 1 July 2025 merger) and ``latitude``/``longitude``.

The gazetteer is the offline data of the ``vietnamadminunits`` package (63
pre-2025 provinces with districts, wards and coordinates, and the 2025
conversion table); ``analysis/rules/places.yaml`` only corrects a name the
data gives in its later form (Thừa Thiên Huế) and lists other spellings, names
that need a unit word and the phrases of post-reform articles. The data files
are read without importing the package, and the built gazetteer is cached in the
user cache directory (``gazetteer()``; about a second less per process). Evidence,
weighted: a province named with its unit or committee word ("tỉnh Trà Vinh",
"Tỉnh ủy Long An"), a bare capitalised province name, districts ("huyện Cầu
Ngang", "Huyện ủy Phú Tân", "(Chợ Lách)", "huyện Quảng Ninh" — a district of
Quảng Bình, not the province) and communes ("xã Phú Lâm") voting for the
provinces that have them, and the site's address (``baovinhlong.com.vn``). A
repeated district name (Phú Tân is in An Giang and Cà Mau) is settled by the
communes named with it. When no province clearly wins, the province stays missing.

After the 1 July 2025 reform (63 provinces merged into 34, districts abolished,
communes and wards merged and renamed) an article names the new units: "phường
Thủ Dầu Một, TP.HCM". ``province`` stays the pre-2025 province (Bình Dương), read
back through the package's conversion table: each 2025 commune or ward is made of
known pre-2025 ones. When the text names 2025-only units, uses a post-reform
phrase ("chính quyền địa phương hai cấp") or is dated after the reform, the name
a merged province kept ("Tây Ninh", now with Long An) is read as the merged
province, and the communes, districts, dropped names ("Long An") and host name
say which of its pre-2025 provinces it is.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import pickle
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from .clean import normalize
from .clean.normalize import UPPER, ascii_fold, match_form, nfc, tone_spellings
from .config import load_config_text
from .patterns import phrase_union

PLACE_RULES = "places.yaml"
REFORM_DATE = dt.date(2025, 7, 1)  # the 34-province map takes effect


class PlaceRulesError(ValueError):
    """``places.yaml`` is malformed; the message says where."""


@dataclass(frozen=True)
class PlaceRules:
    renamed: dict[str, dict]  # gazetteer province key -> {name, full}
    aliases: dict[str, list[str]]  # gazetteer province key -> other spellings
    needs_unit_word: frozenset[str]  # match form
    reform_cues: tuple[str, ...]  # match form


def _strings(value: object, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PlaceRulesError(f"{where} must be a list of non-empty strings")
    return [str(v) for v in value]


def place_rules_from(data: object, where: str = PLACE_RULES) -> PlaceRules:
    """Check parsed ``places.yaml``; errors name the file and the key."""
    keys = {"renamed", "aliases", "needs_unit_word", "reform_cues"}
    if not isinstance(data, dict) or set(data) != keys:
        raise PlaceRulesError(f"{where}: expected exactly the keys {', '.join(sorted(keys))}")
    renamed, aliases = data["renamed"], data["aliases"]
    if not isinstance(renamed, dict):
        raise PlaceRulesError(f"{where}: 'renamed' must map province keys to {{name, full}}")
    checked = {}
    for key, entry in renamed.items():
        at = f"{where}: renamed.{key}"
        if not isinstance(entry, dict) or set(entry) != {"name", "full"}:
            raise PlaceRulesError(f"{at} must have exactly 'name' and 'full'")
        if not all(isinstance(entry[k], str) and entry[k].strip() for k in ("name", "full")):
            raise PlaceRulesError(f"{at}: 'name' and 'full' must be non-empty strings")
        checked[str(key)] = {"name": entry["name"], "full": entry["full"]}
    if not isinstance(aliases, dict):
        raise PlaceRulesError(f"{where}: 'aliases' must map province keys to lists of spellings")
    spellings = {str(key): _strings(value, f"{where}: aliases.{key}") for key, value in aliases.items()}
    words = frozenset(match_form(w) for w in _strings(data["needs_unit_word"], f"{where}: 'needs_unit_word'"))
    cues = tuple(" ".join(match_form(c).split()) for c in _strings(data["reform_cues"], f"{where}: 'reform_cues'"))
    return PlaceRules(checked, spellings, words, cues)


@lru_cache(maxsize=1)
def place_rules() -> PlaceRules:
    """The packaged place rules (cached: they are immutable)."""
    source = resources.files("analysis.rules").joinpath(PLACE_RULES)
    return place_rules_from(load_config_text(source.read_text("utf-8"), {"type": "object"}, str(source)))


# The columns ``locate_documents`` adds (and ``decide`` returns).
PLACE_COLUMNS = ("province", "province_code", "district", "commune", "province_2025",
                 "latitude", "longitude", "latitude_2025", "longitude_2025")


@dataclass(frozen=True)
class Unit:
    name: str  # short name, e.g. "Cầu Ngang"
    full: str  # with its type, e.g. "Huyện Cầu Ngang"
    province_key: str
    district_key: str | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Unit2025:
    """A commune or ward of the 2025 map and the pre-2025 provinces its parts came from."""

    name: str  # e.g. "Thủ Dầu Một"
    full: str  # e.g. "Phường Thủ Dầu Một"
    province_key_2025: str
    old_province_keys: frozenset[str]


@dataclass(frozen=True, eq=False)
class Gazetteer:
    provinces: dict[str, dict]  # key -> {name, full, code, lat, lon, province_2025, key_2025 …}
    province_by_name: dict[str, str]  # match-form short name -> key
    districts: dict[str, list[Unit]]  # match-form short name -> units
    communes: dict[str, list[Unit]]
    communes_2025: dict[str, list[Unit2025]]  # match-form short name -> 2025 units
    constituents: dict[str, frozenset[str]]  # 2025 province key -> its pre-2025 province keys


def _communes_2025(new_map: dict, conversion: dict) -> dict[str, list[Unit2025]]:
    """The 2025 communes and wards with the pre-2025 provinces of the units merged into them."""
    old_keys: dict[tuple[str, str], set[str]] = defaultdict(set)
    for new_province, wards in conversion["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, olds in wards.items():
            old_keys[new_province, ward_key].update(old.split("_")[0] for old in olds)
    for new_province, by_old in conversion["DICT_PROVINCE_WARD_DIVIDED"].items():  # old units split between new ones
        for old, parts in by_old.items():
            for part in parts:
                old_keys[new_province, part["newWardKey"]].add(old.split("_")[0])
    units: dict[str, list[Unit2025]] = defaultdict(list)
    seen = set()
    for table in ("DICT_PROVINCE_WARD_NO_ACCENTED", "DICT_PROVINCE_WARD_ACCENTED"):
        for new_province, wards in new_map[table].items():
            for ward_key, w in wards.items():
                olds = old_keys.get((new_province, ward_key))
                if not olds or not isinstance(w.get("wardShort"), str) or (new_province, w["ward"]) in seen:
                    continue
                seen.add((new_province, w["ward"]))
                units[match_form(w["wardShort"])].append(Unit2025(w["wardShort"], w["ward"], new_province, frozenset(olds)))
    return dict(units)


ADMIN_PACKAGE = "vietnamadminunits"


def admin_data(name: str) -> dict:
    """One JSON file of vietnamadminunits' offline data (``parser_legacy.json`` …), read
    without importing the package: its ``__init__`` imports its address parsers, pandas
    and geopy (about 1.9 s), and only the data is used here."""
    spec = importlib.util.find_spec(ADMIN_PACKAGE)  # locates the package without running it
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the gazetteer needs the {ADMIN_PACKAGE} package: pip install {ADMIN_PACKAGE}")
    path = Path(next(iter(spec.submodule_search_locations))) / "data" / name
    return json.loads(path.read_text("utf-8"))


# The built gazetteer is cached as a pickle (building it from the JSON data costs about a
# second a process). The file name carries a hash of everything the build reads: the
# data package's version, places.yaml, and the source of this module and of the match
# form (clean/normalize.py), so a change in any of them builds a fresh one.
# ANALYSIS_CACHE_DIR overrides the user cache directory; an unwritable or damaged cache
# only costs the rebuild.
CACHE_ENV = "ANALYSIS_CACHE_DIR"


def cache_dir() -> Path:
    """Where prebuilt data is cached: ``$ANALYSIS_CACHE_DIR``, else the user cache directory."""
    configured = os.environ.get(CACHE_ENV)
    if configured:
        return Path(configured)
    import platformdirs

    return Path(platformdirs.user_cache_dir("analysis", appauthor=False))


def gazetteer_cache_path() -> Path:
    """The cache file of the gazetteer for the installed data, rules and code."""
    digest = hashlib.sha256(importlib.metadata.version(ADMIN_PACKAGE).encode())
    digest.update(resources.files("analysis.rules").joinpath(PLACE_RULES).read_bytes())
    for source in (__file__, normalize.__file__):  # the code that builds it, match forms included
        digest.update(Path(source).read_bytes())
    return cache_dir() / f"gazetteer-{digest.hexdigest()[:20]}.pickle"


def _read_cached(path: Path) -> Gazetteer | None:
    try:
        with path.open("rb") as handle:
            found = pickle.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, IndexError, TypeError, ValueError):
        return None  # damaged or from other code: rebuilt and rewritten
    return found if isinstance(found, Gazetteer) else None


def _write_cached(path: Path, g: Gazetteer) -> None:
    """Write atomically (a concurrent reader sees the old file or the new one) and drop stale files."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=".gazetteer-", delete=False) as handle:
            pickle.dump(g, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
        for stale in path.parent.glob("gazetteer-*.pickle"):
            if stale != path:
                stale.unlink(missing_ok=True)
    except OSError:
        pass  # a read-only or full cache directory: the next process builds it again


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The pre-2025 and 2025 administrative units: from the cache when it is current, else
    built from vietnamadminunits' data (and cached)."""
    path = gazetteer_cache_path()
    cached = _read_cached(path)
    if cached is not None:
        return cached
    built = build_gazetteer()
    _write_cached(path, built)
    return built


def build_gazetteer() -> Gazetteer:
    """The gazetteer built from vietnamadminunits' data and ``places.yaml`` (what the cache holds)."""
    legacy = admin_data("parser_legacy.json")
    new_map = admin_data("parser_from_2025.json")
    conversion = admin_data("converter_2025.json")
    new_provinces = new_map["DICT_PROVINCE"]
    old_to_new = {old: new for new, olds in conversion["DICT_PROVINCE"].items() for old in olds}
    rules = place_rules()
    unknown = (set(rules.renamed) | set(rules.aliases)) - set(legacy["DICT_PROVINCE"])
    if unknown:
        raise PlaceRulesError(f"{PLACE_RULES}: unknown province key(s) {', '.join(sorted(unknown))}")
    provinces = {}
    for key, p in legacy["DICT_PROVINCE"].items():
        new = new_provinces.get(old_to_new.get(key, ""), {})
        renamed = rules.renamed.get(key, {})
        provinces[key] = {
            "name": renamed.get("name", p["provinceShort"]), "full": renamed.get("full", p["province"]),
            "code": p["provinceCode"], "latitude": p.get("provinceLat"), "longitude": p.get("provinceLon"),
            "province_2025": new.get("provinceShort"), "key_2025": old_to_new.get(key), "code_2025": new.get("provinceCode"),
            "latitude_2025": new.get("provinceLat"), "longitude_2025": new.get("provinceLon"),
            "aliases": tuple(rules.aliases.get(key, ())),
        }
    districts: dict[str, list[Unit]] = defaultdict(list)
    for province_key, items in legacy["DICT_PROVINCE_DISTRICT"].items():
        for district_key, d in items.items():
            districts[match_form(d["districtShort"])].append(
                Unit(d["districtShort"], d["district"], province_key, district_key, d.get("districtLat"), d.get("districtLon"))
            )
    communes: dict[str, list[Unit]] = defaultdict(list)
    for province_key, by_district in legacy["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"].items():
        for district_key, wards in by_district.items():
            for w in wards.values():
                if not isinstance(w.get("wardShort"), str):  # numbered wards ("Phường 1") carry a number
                    continue
                communes[match_form(w["wardShort"])].append(
                    Unit(w["wardShort"], w["ward"], province_key, district_key, w.get("wardLat"), w.get("wardLon"))
                )
    by_name = {match_form(p["name"]): key for key, p in provinces.items()}
    for key, p in provinces.items():  # "Bà Rịa - Vũng Tàu" is also written by either half
        for part in p["name"].split(" - ")[1:] and p["name"].split(" - "):
            by_name.setdefault(match_form(part), key)
        for alias in p["aliases"]:
            by_name.setdefault(" ".join(match_form(alias).split()), key)
    constituents = {new: frozenset(olds) for new, olds in conversion["DICT_PROVINCE"].items()}
    return Gazetteer(provinces, by_name, dict(districts), dict(communes), _communes_2025(new_map, conversion), constituents)


_NAME = r"((?:" + UPPER + r"[^\s,.;:()“”\"/]*)(?:\s+(?:" + UPPER + r"|\d)[^\s,.;:()“”\"/]*){0,3})"
# Unit and committee words, matched in match form (lower case) in one pass; the
# capitalised name after them is read from the original text.
_KINDS = {
    "tỉnh ủy": ("province",), "tỉnh": ("province",), "ubnd tỉnh": ("province",), "ubnd tp": ("province",),
    "ubnd tp.": ("province",), "thành ủy": ("province", "district"), "thành phố": ("province", "district"),
    "tp": ("province", "district"), "tp.": ("province", "district"), "huyện ủy": ("district",), "huyện": ("district",),
    "quận ủy": ("district",), "quận": ("district",), "thị ủy": ("district",), "thị xã": ("district",),
    "đảng ủy xã": ("commune",), "đảng bộ xã": ("commune",), "xã": ("commune",), "phường": ("commune",),
    "thị trấn": ("commune",),
}
_UNIT_WORD = re.compile("(?P<word>" + phrase_union(_KINDS) + r")\s+")
_NAME_RE = re.compile(_NAME)
_PAREN_NAME = re.compile(r"\s*\(\s*" + _NAME + r"\s*\)")
_HCM = re.compile(r"tp\.?\s*(?:hcm|hồ\s+chí\s+minh)|thành\s+(?:phố|ủy\s+tp\.?)\s*hồ\s+chí\s+minh")  # in match form


@lru_cache(maxsize=1)
def _bare_provinces(g: Gazetteer) -> re.Pattern[str]:
    """Capitalised province names as written ("Hậu Giang", either tone placement),
    except those that are also ordinary words. Case-sensitive on purpose: the
    regex engine then only stops at capital letters."""
    names = {p["name"] for p in g.provinces.values()} | {part for p in g.provinces.values() for part in p["name"].split(" - ")}
    names |= {alias for p in g.provinces.values() for alias in p["aliases"]}
    names = {n for n in names if match_form(n) not in place_rules().needs_unit_word and len(n.split()) >= 2
             and " ".join(match_form(n).split()) in g.province_by_name}
    return re.compile(phrase_union(spelling for n in names for spelling in tone_spellings(n)))


@lru_cache(maxsize=8192)  # the same names recur across a corpus
def _prefixes_of(name: str) -> tuple[tuple[str, int], ...]:
    """'Phú Sơn Chợ Lách' -> ('phú sơn chợ lách', 4), ('phú sơn chợ', 3), ('phú sơn', 2), ('phú', 1): longest first."""
    words = match_form(name).split()
    return tuple((" ".join(words[:n]), n) for n in range(len(words), 0, -1))


def _match_name(name: str, table: dict) -> str | None:
    prefixes = _prefixes_of(name)
    shortest = 2 - (len(prefixes) == 1)  # a one-word name only when nothing follows it
    for prefix, words in prefixes:
        if words >= shortest and prefix in table:
            return prefix
    return None


@lru_cache(maxsize=1)
def _plain_names(g: Gazetteer) -> tuple[tuple[str, str], ...]:
    """(unaccented name or alias without spaces, province key): "bentre", "hungyen", "daklak" …"""
    plain = {(re.sub(r"[^a-z]", "", ascii_fold(name)), key)
             for key, p in g.provinces.items() for name in (p["name"], *p["aliases"])}
    return tuple(sorted(plain))


def _host_votes(source: str | None, g: Gazetteer) -> tuple[tuple[str, float], ...]:
    """Provinces whose unaccented name appears in the site's host name, as (key, weight)."""
    if not source or "://" not in str(source):
        return ()
    return _votes_of_host(urlparse(str(source)).hostname or "", g)


@lru_cache(maxsize=1024)  # a corpus comes from few sites
def _votes_of_host(hostname: str, g: Gazetteer) -> tuple[tuple[str, float], ...]:
    # A name of six letters or more anywhere in a label ("laodongbinhduong"); a shorter one
    # only at a label's start or end ("baocamau", "hanoimoi", "kimbang.hanam.gov.vn").
    labels = hostname.lower().replace("-", "").split(".")
    keys = {key for plain, key in _plain_names(g) if len(plain) >= 5 for label in labels
            if plain in label and (len(plain) >= 6 or label.startswith(plain) or label.endswith(plain))}
    return tuple((key, 2.0) for key in sorted(keys))


@dataclass
class Evidence:
    province: dict[str, float]  # votes of province names in the text
    districts: list[Unit]
    communes: list[Unit]
    host: dict[str, float] = field(default_factory=dict)  # votes of the site's address
    communes_2025: list[tuple[Unit2025, ...]] = field(default_factory=list)  # one entry per mention
    reform_cue: bool = False  # the text speaks of the reform ("chính quyền địa phương hai cấp")


@lru_cache(maxsize=1)
def _reform_cue() -> re.Pattern[str]:
    cues = place_rules().reform_cues
    return re.compile(phrase_union(cues)) if cues else re.compile(r"(?!)")


# Unit words that name a district and nothing else: "huyện Quảng Ninh" is the district
# of Quảng Bình, not the province (matched in match form, just before a name).
_DISTRICT_ONLY = {word for word, kinds in _KINDS.items() if kinds == ("district",)}
# The unit type a word names, as the gazetteer's full names begin.
_UNIT_TYPE = {"huyện": "huyện", "huyện ủy": "huyện", "quận": "quận", "quận ủy": "quận", "thị xã": "thị xã",
              "thị ủy": "thị xã", "thành phố": "thành phố", "tp": "thành phố", "tp.": "thành phố", "thành ủy": "thành phố"}
_AFTER_DISTRICT_WORD = re.compile("(?:" + phrase_union(_DISTRICT_ONLY) + r")\s+$")


def collect_evidence(text: str | Sequence[str], source: str | None = None) -> Evidence:
    """Place mentions in ``text`` (and the site address) as weighted votes.

    ``text`` may be given as its parts (title, body, page chrome): each part's
    match form is then looked up in the cache, where the body's already is.
    """
    g = gazetteer()
    parts = [nfc(text)] if isinstance(text, str) else [nfc(str(p)) for p in text]
    text = "\n".join(parts)
    mf = "\n".join(match_form(p) for p in parts)
    votes: dict[str, float] = defaultdict(float)
    host = dict(_host_votes(source, g))
    if ("hcm" in mf or "hồ chí minh" in mf) and _HCM.search(mf):
        votes["thanhphohochiminh"] += 2
    for m in _bare_provinces(g).finditer(text):  # "VNPT Hậu Giang" names Hậu Giang
        if _AFTER_DISTRICT_WORD.search(mf, max(0, m.start() - 12), m.start()):
            continue  # "huyện Quảng Ninh": a district, counted below
        votes[g.province_by_name[" ".join(mf[m.start() : m.end()].split())]] += 1
    districts: list[Unit] = []
    communes: list[Unit] = []
    communes_2025: list[tuple[Unit2025, ...]] = []
    for m in _UNIT_WORD.finditer(mf):
        name = _NAME_RE.match(text, m.end())
        if not name:
            continue
        word = " ".join(m.group("word").split())
        kinds = _KINDS[word]
        if "province" in kinds:
            hit = _match_name(name.group(1), g.province_by_name)
            if hit:
                votes[g.province_by_name[hit]] += 2
                continue
        if "district" in kinds:
            hit = _match_name(name.group(1), g.districts)
            if hit and (word in _DISTRICT_ONLY or hit not in g.province_by_name):
                units = g.districts[hit]
                # "huyện Hòa Bình" is the district (Bạc Liêu), not the city of Hòa Bình.
                typed = [u for u in units if match_form(u.full).startswith(_UNIT_TYPE.get(word, "\0"))]
                districts.extend(typed or units)
        if "commune" in kinds:
            hit_2025 = _match_name(name.group(1), g.communes_2025)
            if hit_2025:
                communes_2025.append(tuple(g.communes_2025[hit_2025]))
            hit = _match_name(name.group(1), g.communes)
            if not hit:
                continue
            found = g.communes[hit]
            paren = _PAREN_NAME.match(text, name.end())
            if paren:  # "xã Phú Sơn (Chợ Lách)": the parenthesis names the district
                district = _match_name(paren.group(1), g.districts)
                if district:
                    keys = {u.district_key for u in g.districts[district]}
                    narrowed = [u for u in found if u.district_key in keys]
                    districts.extend(u for u in g.districts[district] if any(c.province_key == u.province_key for c in narrowed))
                    found = narrowed or found
            communes.extend(found)
    # A title that opens with a district's name ("Phú Tân đẩy mạnh …", "Cầu Ngang: …").
    head = text.lstrip()[:40]
    opening = re.match(_NAME, head)
    if opening:
        hit = _match_name(opening.group(1), g.districts)
        if hit and hit not in g.province_by_name:
            districts.extend(g.districts[hit])
    return Evidence(dict(votes), districts, communes, host, communes_2025, bool(_reform_cue().search(mf)))


def _split_votes(units: Sequence[Unit], weight: float, votes: defaultdict[str, float]) -> None:
    """Each distinct name votes ``weight`` in all, shared among the provinces that have it."""
    by_name = defaultdict(set)
    for unit in units:
        by_name[unit.name].add(unit.province_key)
    for keys in by_name.values():
        for key in keys:
            votes[key] += weight / len(keys)


def _after_reform(evidence: Evidence, published: dt.date | None, g: Gazetteer) -> bool:
    """True when the article speaks of the 2025 map: dated after the reform, using a phrase
    only such articles use (``reform_cues``), or naming a commune or ward that only the 2025
    map has (no pre-2025 unit of that name in the provinces it was made from)."""
    if evidence.reform_cue or (published is not None and published >= REFORM_DATE):
        return True
    for units in evidence.communes_2025:
        old_here = {u.province_key for u in g.communes.get(match_form(units[0].name), ())}
        if all(not (u.old_province_keys & old_here) for u in units):
            return True
    return False


def _names_merged_province(key: str, g: Gazetteer) -> bool:
    """After the reform the name of ``key`` names a merged province ("Tây Ninh" now includes
    Long An); a constituent whose name was not kept ("Long An", "Bình Dương") is unambiguous."""
    p = g.provinces[key]
    return p["name"] == p["province_2025"] and len(g.constituents.get(p["key_2025"], ())) > 1


def _reform_votes(evidence: Evidence, g: Gazetteer) -> defaultdict[str, float]:
    """Pre-2025 province votes of an article that names the 2025 map.

    The name of a merged province ("TP.HCM", "tỉnh Tây Ninh", in the text or the host
    name) may mean any of its pre-2025 provinces: its votes go to the constituent that
    the finer evidence points to — 2025 communes read back through the conversion
    table, pre-2025 districts and communes, names of constituents that were not kept
    ("Bình Dương", "baolongan") — or to the province of that name when nothing finer is said.
    """
    finer: defaultdict[str, float] = defaultdict(float)
    pooled: defaultdict[str, float] = defaultdict(float)
    for source in (evidence.province, evidence.host):
        for key, v in source.items():
            if _names_merged_province(key, g):
                pooled[g.provinces[key]["key_2025"]] += v
            else:
                finer[key] += v
    in_play = {g.provinces[key]["key_2025"] for key in (*evidence.province, *evidence.host)}
    _split_votes(evidence.districts, 2.0, finer)
    names_2025 = set()
    for units in evidence.communes_2025:
        names_2025.add(units[0].name)
        here = [u for u in units if u.province_key_2025 in in_play] or list(units)
        olds = set().union(*(u.old_province_keys for u in here))
        for key in olds:
            finer[key] += 1.5 / len(olds)
    # A commune name that is not a 2025 one is still read on the pre-2025 map.
    _split_votes([u for u in evidence.communes if u.name not in names_2025], 1.0, finer)
    votes = defaultdict(float, finer)
    for new_key, v in pooled.items():
        members = g.constituents.get(new_key, frozenset())
        best = max(members, key=lambda k: (finer.get(k, 0.0), _names_merged_province(k, g)), default=None)
        if best is not None:
            votes[best] += v
    return votes


def decide(evidence: Evidence, published: dt.date | None = None) -> dict:
    """Province (and district/commune) the evidence supports, or missing values."""
    g = gazetteer()
    if _after_reform(evidence, published, g):
        votes = _reform_votes(evidence, g)
    else:
        votes = defaultdict(float, evidence.province)
        for key, v in evidence.host.items():
            votes[key] += v
        district_provinces = defaultdict(set)
        for unit in evidence.districts:
            district_provinces[unit.name].add(unit.province_key)
        commune_provinces = {u.province_key for u in evidence.communes}
        for _name, keys in district_provinces.items():
            # A repeated district name is settled by the communes named with it.
            narrowed = keys & commune_provinces if len(keys) > 1 else keys
            keys = narrowed or keys
            for key in keys:
                votes[key] += 2.0 / len(keys)
        _split_votes(evidence.communes, 1.0, votes)
    result: dict = dict.fromkeys(PLACE_COLUMNS)
    if not votes:
        return result
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    best, score = ranked[0]
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    if score < 1.0 or score < 1.5 * runner_up:
        return result
    p = g.provinces[best]
    result.update(province=p["name"], province_code=p["code"], province_2025=p["province_2025"],
                  latitude=p["latitude"], longitude=p["longitude"],
                  latitude_2025=p["latitude_2025"], longitude_2025=p["longitude_2025"])
    # The district and commune named most often in that province (first named on a tie).
    districts = Counter(u.full for u in evidence.districts if u.province_key == best)
    if districts:
        result["district"] = districts.most_common(1)[0][0]
    communes = Counter(u.full for u in evidence.communes if u.province_key == best)
    communes.update(u.full for units in evidence.communes_2025 for u in units if best in u.old_province_keys
                    and not any(c.province_key == best and c.name == u.name for c in evidence.communes))
    if communes:
        result["commune"] = communes.most_common(1)[0][0]
    return result


def locate_text(text: str | Sequence[str], source: str | None = None, published: object = None) -> dict:
    """Province, district and commune of one article's text (or of its parts);
    ``published`` (a date, if known) says whether it was written after the 2025 reform."""
    return decide(collect_evidence(text, source), _as_date(published))


def _as_date(value: object) -> dt.date | None:
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None


def locate_documents(documents: pd.DataFrame) -> pd.DataFrame:
    """Add place columns to document rows (missing where the text does not tell)."""
    def column(name: str) -> list:  # plain lists: iterating a pandas string column is slow
        return documents[name].tolist() if name in documents.columns else [None] * len(documents)

    rows = [locate_text([title or "", text or "", chrome or ""], source, published)
            for title, text, chrome, source, published
            in zip(column("title"), column("text"), column("chrome_text"), column("source"), column("published"), strict=False)]
    places = pd.DataFrame(rows, index=documents.index, columns=list(PLACE_COLUMNS))
    out = documents.drop(columns=[c for c in places.columns if c in documents.columns])
    return pd.concat([out, places], axis=1)
