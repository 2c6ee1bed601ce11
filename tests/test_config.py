"""Configuration files: safe YAML (bounded work, JSON values only) and schema errors that say where."""
from __future__ import annotations

import os
import time
from importlib import resources

import pytest

from analysis.config import (
    CHROME_SCHEMA,
    INDICATORS_SCHEMA,
    PEOPLE_SCHEMA,
    REPORT_SCHEMA,
    REPORTS_SCHEMA,
    ConfigError,
    check,
    load_config,
    parse_yaml,
    read_yaml,
)
from analysis.extract import RulesError, load_rules


def _laughs(levels: int) -> str:
    """The "billion laughs" shape: each level a list of nine aliases of the level before."""
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


def test_billion_laughs_is_refused_at_once_with_its_line():
    text = _laughs(9)
    assert len(text) < 600  # 9⁹ "lol"s written out
    started = time.perf_counter()
    with pytest.raises(ConfigError, match=r"laughs\.yml \(line \d+, column \d+\): with its aliases written out, this holds more"):
        parse_yaml(text, "laughs.yml")
    assert time.perf_counter() - started < 1


def test_rules_file_with_exploding_aliases_is_a_rules_error(tmp_path):
    packaged = (resources.files("analysis.rules") / "indicators.yaml").read_text("utf-8")
    rules = tmp_path / "rules.yaml"
    # Five levels: 9⁵ values — harmless to try, enough to show that the expansion is bounded.
    rules.write_text(_laughs(5) + packaged.replace("  money: [đồng, VNĐ, VND, đ]", "  money: [đồng, VNĐ, VND, đ]\n  laughs: *l5"),
                     encoding="utf-8")
    with pytest.raises(RulesError, match=r"rules\.yaml \(line \d+, column \d+\): with its aliases written out"):
        load_rules(rules)


def test_aliases_within_bounds_are_fine_and_the_packaged_rules_use_them():
    assert parse_yaml("a: &x [1, 2]\nb: *x\n").data == {"a": [1, 2], "b": [1, 2]}
    assert "*inspected" in (resources.files("analysis.rules") / "indicators.yaml").read_text("utf-8")
    assert load_rules().indicators  # the packaged rules load through the safe loader


@pytest.mark.parametrize("text, where, what", [
    ("title: !!binary aGVsbG8=\n", "title (line 1)", "!!binary value is not allowed"),
    ("a:\n  when: !!timestamp 2023-01-01\n", "a.when (line 2)", "!!timestamp value is not allowed"),
    ("a: !!set {x, y}\n", "a (line 1)", "!!set value is not allowed"),
    ("a:\n  - ok\n  - !!omap [x: 1]\n", "a[1] (line 3)", "!!omap value is not allowed"),
    ("a: 1\nb: 2\na: 3\n", "a (line 3)", "duplicate key (first on line 1)"),
    ("a:\n  1: x\n", "a[1]", "the key 1 is not text"),
    ("a: .inf\n", "a (line 1)", "not a number a configuration can hold"),
])
def test_values_json_cannot_hold_are_refused_where_they_are(text, where, what):
    document = parse_yaml(text, "c.yml")
    with pytest.raises(ConfigError) as error:
        check(document, {"type": "object"})
    assert f"c.yml: {where}" in str(error.value) and what in str(error.value)


def test_unsafe_tags_and_bad_syntax_are_config_errors_with_a_line():
    with pytest.raises(ConfigError, match=r"c\.yml \(line 1, column 4\): could not determine a constructor"):
        parse_yaml("a: !!python/object/apply:os.system [echo hi]\n", "c.yml")
    with pytest.raises(ConfigError, match=r"c\.yml \(line 2, column 1\)"):
        parse_yaml("a: [1\n", "c.yml")
    with pytest.raises(ConfigError, match="nested more than 40 levels"):
        parse_yaml("[" * 100_000, "c.yml")  # PyYAML composes recursively: no RecursionError


def test_an_unquoted_date_is_the_text_written():
    assert parse_yaml("date_from: 2023-01-01\nat: 2023-01-01 10:00:00\n").data == {
        "date_from": "2023-01-01", "at": "2023-01-01 10:00:00"}


def test_only_small_regular_files_are_read(tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("a: " + "x" * 1_100_000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="larger than"):
        read_yaml(big)
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ConfigError, match="not a regular file"):
        read_yaml(fifo)  # returns at once: a FIFO is never opened
    with pytest.raises(ConfigError, match="cannot be read"):
        read_yaml(tmp_path / "missing.yaml")
    (tmp_path / "latin.yaml").write_bytes("a: caf\xe9\n".encode("latin-1"))
    with pytest.raises(ConfigError, match="not UTF-8"):
        read_yaml(tmp_path / "latin.yaml")


def test_every_packaged_config_file_is_valid(root):
    rules = resources.files("analysis.rules")
    load_config(rules / "chrome.yaml", CHROME_SCHEMA)
    load_config(rules / "people.yaml", PEOPLE_SCHEMA)
    load_config(rules / "indicators.yaml", INDICATORS_SCHEMA)
    reports = read_yaml(root / "reports" / "reports.yml")
    check(reports, REPORTS_SCHEMA, apart=("reports",))
    for index in range(len(reports.data["reports"])):
        check(reports, REPORT_SCHEMA, ("reports", index))


def _packaged_with(monkeypatch, tmp_path, name: str, text: str) -> None:
    """Make ``analysis.rules`` resources come from ``tmp_path``, where ``name`` holds ``text``."""
    (tmp_path / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(resources, "files", lambda package: tmp_path)


def test_chrome_vocabulary_without_a_section_says_which(monkeypatch, tmp_path):
    from analysis.clean import chrome

    text = (resources.files("analysis.rules") / "chrome.yaml").read_text("utf-8")
    _packaged_with(monkeypatch, tmp_path, "chrome.yaml", text.split("contact_phrases:")[0])
    chrome.vocabulary.cache_clear()
    try:
        with pytest.raises(ConfigError, match=r"chrome\.yaml: \(top level\): 'contact_phrases' is missing"):
            chrome.vocabulary()
    finally:
        chrome.vocabulary.cache_clear()


def test_people_rules_with_a_number_for_a_name_say_where(monkeypatch, tmp_path):
    from analysis.extract import people

    text = (resources.files("analysis.rules") / "people.yaml").read_text("utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if t.startswith("honorifics:"))
    _packaged_with(monkeypatch, tmp_path, "people.yaml", text.replace("honorifics: [", "honorifics: [2023, ", 1))
    people.people_rules.cache_clear()
    try:
        with pytest.raises(ConfigError, match=rf"people\.yaml: honorifics\[0\] \(line {line}\): 2023: must be string"):
            people.people_rules()
    finally:
        people.people_rules.cache_clear()


def test_rules_file_with_a_misspelt_section_says_which(tmp_path):
    text = (resources.files("analysis.rules") / "indicators.yaml").read_text("utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), start=1) if t.startswith("linkers:"))
    rules = tmp_path / "rules.yaml"
    rules.write_text(text.replace("\nlinkers:", "\nlinker:", 1), encoding="utf-8")
    with pytest.raises(RulesError, match=rf"rules\.yaml: linker \(line {line}\): unknown key\(s\) 'linker'; known: .*linkers"):
        load_rules(rules)
    rules.write_text(text.replace("max_link_words: 5", "max_link_words: five", 1), encoding="utf-8")
    with pytest.raises(RulesError, match=r"rules\.yaml: max_link_words \(line \d+\): 'five': must be integer"):
        load_rules(rules)


def test_keep_runs_is_a_whole_number_of_at_least_one_where_it_is_written():
    good = parse_yaml("defaults: {keep_runs: 2}\nreports:\n  - {name: a, keep_runs: 5}\n", "reports.yml")
    check(good, REPORTS_SCHEMA, apart=("reports",))
    check(good, REPORT_SCHEMA, ("reports", 0))
    for text, where in (("defaults: {keep_runs: 0}\nreports: []\n", "defaults.keep_runs"),
                        ("defaults: {keep_runs: two}\nreports: []\n", "defaults.keep_runs")):
        with pytest.raises(ConfigError, match=where.replace(".", r"\.")):
            check(parse_yaml(text, "reports.yml"), REPORTS_SCHEMA, apart=("reports",))
    bad = parse_yaml("reports:\n  - {name: a, keep_runs: 1.5}\n", "reports.yml")
    with pytest.raises(ConfigError, match=r"reports\[0\]\.keep_runs.*line 2"):
        check(bad, REPORT_SCHEMA, ("reports", 0))
