"""Locales: the wording of reports and notebooks is data, one file per language, checked together."""
from __future__ import annotations

import re
import shutil

import pytest

from analysis import aggregate as agg
from analysis import locales
from analysis.config import ConfigError


def _keys(language: str) -> dict[str, set[str]]:
    return {name: set(texts) for name, texts in locales.locale(language).items()}


def test_every_language_defines_the_same_sections_keys_and_fields():
    reference = _keys(locales.DEFAULT)
    assert len(locales.LANGUAGES) >= 2 and locales.LANGUAGES[0] == "vi"
    for language in locales.LANGUAGES[1:]:
        assert _keys(language) == reference, language
        for section, texts in locales.locale(language).items():
            for key, value in texts.items():
                assert locales._fields(value) == locales._fields(locales.locale("vi")[section][key]), (section, key)


def test_a_language_is_a_file(tmp_path):
    for path in locales.DIRECTORY.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    shutil.copy(tmp_path / "en.yaml", tmp_path / "fr.yaml")
    assert locales.languages(tmp_path) == ("vi", "en", "fr")
    loaded = locales.load(tmp_path)
    assert set(loaded) == {"vi", "en", "fr"} and loaded["fr"]["labels"]["province"] == "Province"


@pytest.mark.parametrize("change, where", [
    (lambda text: text.replace("  rule_id: Rule\n", ""), "labels.rule_id is missing"),
    (lambda text: text.replace("  rule_id: Rule\n", "  rule_id: Rule\n  extra_key: Extra\n"), "labels.extra_key is not in vi.yaml"),
    (lambda text: text.replace("more_rows: … and {n} more rows", "more_rows: … and {count} more rows"), "text.more_rows has the fields"),
    (lambda text: text.replace("  rule_id: Rule\n", "  rule_id: [Rule]\n"), "rule_id"),
    (lambda text: text.replace("  rule_id: Rule\n", "  rule_id: Rule {\n"), "labels.rule_id: not a valid text template"),
])
def test_a_broken_locale_file_is_refused_with_where(tmp_path, change, where):
    for path in locales.DIRECTORY.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    english = tmp_path / "en.yaml"
    english.write_text(change(english.read_text("utf-8")), "utf-8")
    with pytest.raises(ConfigError) as error:
        locales.load(tmp_path)
    assert "en.yaml" in str(error.value) and where in str(error.value)


def test_an_unknown_language_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="not one of vi, en"):
        locales.locale("fr")
    assert locales.text("text", "duplicates", "vi", n=3) == "3 bài là bản trùng lặp."
    assert locales.text("text", "duplicates", "en", n=3) == "3 article(s) are duplicates."


def test_every_text_the_notebooks_ask_for_exists(root):
    """Each L("key") and text("section", "key", …) of the notebooks names a text of the locale files."""
    labels = set(locales.section("labels"))
    catalog = set(agg.indicator_names())
    for script in (root / "notebooks").glob("*.py"):
        source = script.read_text("utf-8")
        for key in re.findall(r"\bL\(\"(\w+)\"\)|\bL\('(\w+)'\)", source):
            name = next(k for k in key if k)
            assert name in labels or name in catalog, f"{script.name}: L({name!r})"
        for section, key in re.findall(r"\btext\([\"'](\w+)[\"'], [\"'](\w+)[\"']", source):
            for language in locales.LANGUAGES:
                assert key in locales.section(section, language), f"{script.name}: {section}.{key} ({language})"


def test_reader_tables_have_no_raw_column_names(tmp_path, sample_dir):
    from analysis.build import build

    build(sample_dir, store=tmp_path / "store", workers=1, quiet=True)
    tables = agg.load_tables(str(tmp_path / "store"))
    facts, by_province, by_org = tables["facts"], tables["province_year"], tables["organization_year"]
    frames = lambda language: [  # noqa: E731 - one list per language
        agg.province_year_table(by_province, language), agg.organization_table(by_org, language),
        agg.sources_table(facts, language), agg.data_dictionary(language=language), agg.document_overview(tables["documents"], language),
        agg.citation_counts(tables["citations"], language), agg.citations_by_year(tables["citations"], language),
        agg.uncoded_citations(tables["citations"], language), agg.facts_per_indicator(facts, language)]
    raw_names = set(locales.section("labels")) | {"doc_id", "fact_id", "matched_text", "issued_by", "n_chars", "org_key"}
    for language in locales.LANGUAGES:
        for frame in frames(language):
            assert not set(map(str, frame.columns)) & raw_names, (language, list(frame.columns))
    vi = agg.sources_table(facts, "vi")
    assert {"Dữ kiện", "Câu gốc", "Được tính", "Thời kỳ"} <= set(vi.columns)
    assert agg.qualifier_label("at_least", "vi") == "tối thiểu" and agg.flags_label("subset,headline", "en") == "subset, in the headline"


def test_every_reason_the_facts_step_gives_is_translated():
    """The counting reasons of rules/facts.yaml and those facts.py writes read in Vietnamese, variable parts kept."""
    from analysis.periods import load_facts_rules

    counting = load_facts_rules()["counting"]
    reasons = [text for group in counting.values() if isinstance(group, dict) for text in group.values() if isinstance(text, str)]
    reasons += [text for group in (counting.get("indicator_excluded_flags") or {}).values() for text in group.values()]
    reasons += ["article off topic", "copy of another article", "repeated in the same article", "the same fact in another article",
                "no date: neither the sentence, the article nor its address states one",
                "part of a larger figure of the same organization and date"]
    assert len(reasons) > 12
    for reason in reasons:
        assert agg.reason_label(reason, "en") == reason
        assert agg.reason_label(reason, "vi") != reason, reason
    assert agg.reason_label("total over 2011–2016, not one year", "vi") == "tổng 2011–2016, không phải số của một năm"
    assert agg.reason_label("total over several years (qua 2 năm), not one year", "vi").startswith("tổng nhiều năm (qua 2 năm)")
    assert agg.reason_label("a reason no catalog has", "vi") == "a reason no catalog has"  # shown as written, never lost
