"""Places step: which province, district and commune an article reports on.

In: document rows (``text``, ``title``, ``chrome_text``, ``source``). Out:
``locate_documents(documents)`` adds ``province`` (pre-2025 name, e.g.
"Bến Tre"), ``province_code``, ``district``, ``commune``, ``province_2025``
(the province after the 1 July 2025 merger) and ``latitude``/``longitude``.

The gazetteer is the offline data of the ``vietnamadminunits`` package (63
pre-2025 provinces with districts, wards and coordinates, and the 2025
conversion table); nothing is typed by hand. Evidence, weighted: a province
named with its unit or committee word ("tỉnh Trà Vinh", "Tỉnh ủy Long An"),
a bare capitalised province name, districts ("huyện Cầu Ngang", "Huyện ủy
Phú Tân", "(Chợ Lách)") and communes ("xã Phú Lâm") voting for the provinces
that have them, and the site's address (``baovinhlong.com.vn``). A repeated
district name (Phú Tân is in An Giang and Cà Mau) is settled by the communes
named with it. When no province clearly wins, the province stays missing.
"""
from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from urllib.parse import urlparse

import pandas as pd

from .clean.normalize import UPPER, ascii_fold, match_form, nfc, tone_spellings
from .patterns import phrase_union

# Province names that are also ordinary words or names in these articles:
# counted only with their unit word ("tư tưởng Hồ Chí Minh", "hòa bình").
_NEEDS_UNIT_WORD = {"hồ chí minh", "hòa bình", "thái bình", "bình định", "hà nam", "nam định"}


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


@dataclass(frozen=True, eq=False)
class Gazetteer:
    provinces: dict[str, dict]  # key -> {name, full, code, lat, lon, new_name}
    province_by_name: dict[str, str]  # match-form short name -> key
    districts: dict[str, list[Unit]]  # match-form short name -> units
    communes: dict[str, list[Unit]]


def _data(name: str) -> dict:
    path = resources.files("vietnamadminunits").joinpath("data", name)
    return json.loads(path.read_text("utf-8"))


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """The pre-2025 administrative units, loaded once from vietnamadminunits."""
    legacy = _data("parser_legacy.json")
    new_provinces = _data("parser_from_2025.json")["DICT_PROVINCE"]
    old_to_new = {old: new for new, olds in _data("converter_2025.json")["DICT_PROVINCE"].items() for old in olds}
    provinces = {}
    for key, p in legacy["DICT_PROVINCE"].items():
        new = new_provinces.get(old_to_new.get(key, ""), {})
        provinces[key] = {
            "name": p["provinceShort"], "full": p["province"], "code": p["provinceCode"],
            "latitude": p.get("provinceLat"), "longitude": p.get("provinceLon"),
            "province_2025": new.get("provinceShort"), "code_2025": new.get("provinceCode"),
            "latitude_2025": new.get("provinceLat"), "longitude_2025": new.get("provinceLon"),
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
    return Gazetteer(provinces, by_name, dict(districts), dict(communes))


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
    names = {n for n in names if match_form(n) not in _NEEDS_UNIT_WORD and len(n.split()) >= 2 and match_form(n) in g.province_by_name}
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
    """(unaccented name without spaces, province key): "bentre", "hungyen" …"""
    return tuple((re.sub(r"[^a-z]", "", ascii_fold(p["name"])), key) for key, p in g.provinces.items())


def _host_votes(source: str | None, g: Gazetteer) -> tuple[tuple[str, float], ...]:
    """Provinces whose unaccented name appears in the site's host name, as (key, weight)."""
    if not source or "://" not in str(source):
        return ()
    return _votes_of_host(urlparse(str(source)).hostname or "", g)


@lru_cache(maxsize=1024)  # a corpus comes from few sites
def _votes_of_host(hostname: str, g: Gazetteer) -> tuple[tuple[str, float], ...]:
    compact = hostname.replace("-", "")
    return tuple((key, 2.0) for plain, key in _plain_names(g) if len(plain) >= 6 and plain in compact)


@dataclass
class Evidence:
    province: dict[str, float]
    districts: list[Unit]
    communes: list[Unit]


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
    for key, weight in _host_votes(source, g):
        votes[key] += weight
    if ("hcm" in mf or "hồ chí minh" in mf) and _HCM.search(mf):
        votes["thanhphohochiminh"] += 2
    for m in _bare_provinces(g).finditer(text):  # "VNPT Hậu Giang" names Hậu Giang
        votes[g.province_by_name[" ".join(mf[m.start() : m.end()].split())]] += 1
    districts: list[Unit] = []
    communes: list[Unit] = []
    for m in _UNIT_WORD.finditer(mf):
        name = _NAME_RE.match(text, m.end())
        if not name:
            continue
        kinds = _KINDS[" ".join(m.group("word").split())]
        if "province" in kinds:
            hit = _match_name(name.group(1), g.province_by_name)
            if hit:
                votes[g.province_by_name[hit]] += 2
                continue
        if "district" in kinds:
            hit = _match_name(name.group(1), g.districts)
            if hit and hit not in g.province_by_name:
                districts.extend(g.districts[hit])
        if "commune" in kinds:
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
    return Evidence(dict(votes), districts, communes)


def decide(evidence: Evidence) -> dict:
    """Province (and district/commune) the evidence supports, or missing values."""
    g = gazetteer()
    votes = defaultdict(float, evidence.province)
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
    commune_names = defaultdict(set)
    for unit in evidence.communes:
        commune_names[unit.name].add(unit.province_key)
    for keys in commune_names.values():
        for key in keys:
            votes[key] += 1.0 / len(keys)
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
    if communes:
        result["commune"] = communes.most_common(1)[0][0]
    return result


def locate_text(text: str | Sequence[str], source: str | None = None) -> dict:
    """Province, district and commune of one article's text (or of its parts)."""
    return decide(collect_evidence(text, source))


def locate_documents(documents: pd.DataFrame) -> pd.DataFrame:
    """Add place columns to document rows (missing where the text does not tell)."""
    def column(name: str) -> list:  # plain lists: iterating a pandas string column is slow
        return documents[name].tolist() if name in documents.columns else [None] * len(documents)

    rows = [locate_text([title or "", text or "", chrome or ""], source)
            for title, text, chrome, source in zip(column("title"), column("text"), column("chrome_text"), column("source"), strict=False)]
    places = pd.DataFrame(rows, index=documents.index, columns=list(PLACE_COLUMNS))
    out = documents.drop(columns=[c for c in places.columns if c in documents.columns])
    return pd.concat([out, places], axis=1)
