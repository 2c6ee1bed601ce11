"""Topic relevance: off-topic pages keep their figures out of extract's default output.

The articles in tests/data/off_topic (budget, public investment, harvest, traffic
fines, enrolment, sports, floods, vaccination, a bridge opening, a festival, a
trial — and a volleyball match that a Party committee organized "to celebrate the
Party's founding") and tests/data/on_topic (a Party congress that reviews the
budget and the rice yield, a "Dân vận khéo" model measured in tonnes and tỷ đồng)
were written for these tests in the style of local news; none is from the gold set.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

import analysis
from analysis.topic import TopicRulesError, default_topic_path, load_topic_rules, parse_topic_rules, score_topic

DATA = Path(__file__).resolve().parent / "data"
OFF_TOPIC = DATA / "off_topic"
ON_TOPIC = DATA / "on_topic"


@pytest.fixture(scope="module")
def off_topic_documents():
    return analysis.load_corpus(OFF_TOPIC)


@pytest.fixture(scope="module")
def on_topic_documents():
    return analysis.load_corpus(ON_TOPIC)


def run(*args):
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True)


def test_every_off_topic_article_is_flagged(off_topic_documents):
    assert len(off_topic_documents) >= 12
    flagged = off_topic_documents.set_index("doc_id")[["party_building", "relevance"]]
    assert not flagged["party_building"].any(), flagged[flagged["party_building"]]
    threshold = load_topic_rules().threshold
    assert (flagged["relevance"] < threshold).all()


def test_off_topic_articles_give_no_figure_in_default_extract(off_topic_documents):
    assert analysis.extract(off_topic_documents).empty
    assert analysis.citations(off_topic_documents).empty
    # The figures are there (budgets, fines, prizes in đồng): only the flag keeps them out.
    everything = analysis.extract(off_topic_documents, all_topics=True)
    assert (everything["indicator"] == "money_vnd").sum() >= 10
    assert set(everything["doc_id"]) >= {"giai-ngan-von-dau-tu-cong", "thu-ngan-sach-10-thang", "giai-bong-da-thanh-nien"}
    assert everything["off_topic"].all()


def test_a_party_committee_organizing_a_match_does_not_make_it_party_building(off_topic_documents):
    row = off_topic_documents.set_index("doc_id").loc["giai-bong-chuyen-dang-uy-to-chuc"]
    assert "Đảng ủy xã" in row["text"] and "thành lập Đảng" in row["text"]
    topic = score_topic(row["title"], row["text"])
    assert topic.hits.get("đảng ủy") == 1  # seen, and outweighed by the match's vocabulary
    assert not topic.party_building


def test_on_topic_articles_stay_on_topic_with_their_figures(on_topic_documents, sample_documents):
    for documents in (on_topic_documents, sample_documents):
        assert documents["party_building"].all(), documents.loc[~documents["party_building"], ["doc_id", "relevance"]]
    mentions = analysis.extract(on_topic_documents)
    assert not mentions["off_topic"].any()
    facts = {(r.doc_id, r.indicator, r.value) for r in mentions.itertuples()}
    # A congress that also reports the budget and the rice yield keeps its Party figures.
    assert {("dai-hoi-dang-bo-xa-kinh-te", "party_members", 412), ("dai-hoi-dang-bo-xa-kinh-te", "new_members", 64)} <= facts
    # The yield of a "Dân vận khéo" model is the value of Party work: kept.
    assert any(doc == "dan-van-kheo-san-luong-lua" and ind.startswith("money_vnd") for doc, ind, _ in facts)
    sample = analysis.extract(sample_documents)
    assert len(sample) > 20 and not sample["off_topic"].any()


def test_menus_naming_party_sections_do_not_make_a_page_on_topic():
    body = (OFF_TOPIC / "lua-he-thu-nang-suat.txt").read_text("utf-8").split("\n", 1)[1]
    menu = "\n".join(["Trang chủ", "Chính trị - Xây dựng Đảng", "Xây dựng Đảng", "Đảng viên", "Kinh tế", "Nông nghiệp"] * 3)
    assert not score_topic("Nông dân phấn khởi vì lúa hè thu được mùa", menu + "\n" + body).party_building
    # The same words in sentences do count.
    sentence = "Chi bộ ấp tổ chức sinh hoạt chi bộ, kết nạp đảng viên mới và trao huy hiệu Đảng cho đảng viên lão thành."
    assert score_topic(None, "\n".join([sentence] * 4)).party_building


def test_the_headline_weighs_more_than_a_body_line():
    body = "Hội nghị diễn ra tại hội trường của xã với sự tham dự của đông đảo cán bộ và người dân địa phương trong huyện."
    plain = score_topic("Hội nghị tại xã", body)
    party = score_topic("Kết nạp đảng viên mới", body)
    rules = load_topic_rules()
    assert party.relevance - plain.relevance == pytest.approx(rules.headline_weight * rules.weights["kết nạp đảng viên"])


def test_extract_scores_documents_that_come_without_the_flag(sample_documents):
    fines = analysis.load_corpus(OFF_TOPIC / "vi-pham-giao-thong-xu-phat.txt")
    # A frame made elsewhere, without the flag column.
    frame = pd.DataFrame({c: [*fines[c], *sample_documents[c]] for c in ("doc_id", "title", "text")})
    mentions = analysis.extract(frame)
    assert "vi-pham-giao-thong-xu-phat" not in set(mentions["doc_id"]) and len(set(mentions["doc_id"])) == 5
    assert "vi-pham-giao-thong-xu-phat" in set(analysis.extract(frame, all_topics=True)["doc_id"])


def test_cli_extract_leaves_off_topic_out_and_all_topics_keeps_it(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in [*OFF_TOPIC.glob("*.txt"), *ON_TOPIC.glob("*.txt")]:
        shutil.copy(path, corpus / path.name)
    default, every = tmp_path / "default.jsonl", tmp_path / "all.jsonl"
    proc = run("extract", str(corpus), "--out", str(default))
    assert proc.returncode == 0, proc.stderr
    assert "--all-topics" in proc.stderr
    assert run("extract", str(corpus), "--out", str(every), "--all-topics", "--quiet").returncode == 0
    kept = [json.loads(line) for line in default.read_text("utf-8").splitlines()]
    allrows = [json.loads(line) for line in every.read_text("utf-8").splitlines()]
    off_ids = {p.stem for p in OFF_TOPIC.glob("*.txt")}
    assert kept and not any(r["doc_id"] in off_ids for r in kept) and not any(r["off_topic"] for r in kept)
    restored = [r for r in allrows if r["doc_id"] in off_ids]
    assert restored and all(r["off_topic"] for r in restored)
    assert len(allrows) == len(kept) + len(restored)

    docs_out = tmp_path / "docs.jsonl"
    assert run("documents", str(corpus), "--out", str(docs_out), "--quiet").returncode == 0
    documents = {r["doc_id"]: r for r in map(json.loads, docs_out.read_text("utf-8").splitlines())}
    assert {d for d, r in documents.items() if not r["party_building"]} == off_ids
    assert all(isinstance(r["relevance"], (int, float)) for r in documents.values())


def test_the_store_keeps_off_topic_rows_flagged(tmp_path, sample_dir):
    from analysis.build import build
    from analysis.store import connect

    corpus = tmp_path / "corpus"
    shutil.copytree(sample_dir, corpus)
    for name in ("giai-ngan-von-dau-tu-cong.txt", "thu-ngan-sach-10-thang.txt"):
        shutil.copy(OFF_TOPIC / name, corpus / name)
    build([corpus], store=tmp_path / "store", workers=1, quiet=True)
    with connect(tmp_path / "store") as con:
        documents = dict(con.execute("SELECT doc_id, party_building FROM documents").fetchall())
        assert documents.pop("giai-ngan-von-dau-tu-cong") is False and documents.pop("thu-ngan-sach-10-thang") is False
        assert len(documents) == 5 and all(flag is True for flag in documents.values())
        assert con.execute("SELECT min(relevance) FROM documents WHERE party_building").fetchone()[0] >= load_topic_rules().threshold
        by_flag = dict(con.execute("SELECT off_topic, count(DISTINCT doc_id) FROM mentions GROUP BY 1").fetchall())
        on_topic = analysis.extract(analysis.load_corpus(sample_dir), references=False)
        assert by_flag == {True: 2, False: on_topic["doc_id"].nunique()}
        off = con.execute("SELECT DISTINCT doc_id FROM mentions WHERE off_topic").fetchall()
        assert {d for (d,) in off} == {"giai-ngan-von-dau-tu-cong", "thu-ngan-sach-10-thang"}
        assert con.execute("SELECT count(*) FROM citations WHERE off_topic").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM citations WHERE NOT off_topic").fetchone()[0] > 0


def test_the_packaged_vocabulary_loads_and_bad_ones_are_refused_with_where():
    rules = load_topic_rules()
    assert rules.weights["đảng viên"] > 0 > rules.weights["giải ngân"]
    good = {"threshold": 10, "headline_weight": 2, "min_words": 100, "min_line_words": 5, "max_hits_per_phrase": 3,
            "party_building": [{"weight": 2, "phrases": ["chi bộ"]}], "off_topic": [{"weight": 1, "phrases": ["giải ngân"]}]}
    assert parse_topic_rules(good, "t.yaml").threshold == 10
    broken = [
        ({**good, "threshold": "high"}, "'threshold' must be a number"),
        ({**good, "colour": 1}, "unknown key(s) ['colour']"),
        ({**good, "off_topic": [{"weight": 1, "phrases": ["Chi bộ"]}]}, "off_topic[0]: phrase 'Chi bộ' is already listed in party_building[0]"),
        ({**good, "party_building": [{"weight": -1, "phrases": ["chi bộ"]}]}, "party_building[0]: 'weight' must be a positive number"),
        ({**good, "party_building": [{"weight": 1, "patterns": {"code": "(unclosed"}}]},
         "party_building[0]: pattern 'code': '(unclosed' is not a valid regular expression"),
        ({**good, "party_building": [{"weight": 1, "words": ["chi bộ"]}]}, "party_building[0]: a group has the keys"),
        ({**good, "min_words": 0}, "must be at least 1"),
    ]
    for data, message in broken:
        with pytest.raises(TopicRulesError) as error:
            parse_topic_rules(data, "t.yaml")
        assert str(error.value).startswith("t.yaml") and message in str(error.value), str(error.value)


def test_a_changed_vocabulary_file_is_read_again(tmp_path):
    path = tmp_path / "topic.yaml"
    text = default_topic_path().read_text("utf-8")
    path.write_text(text, "utf-8")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    assert load_topic_rules(path).threshold == load_topic_rules().threshold
    path.write_text(re.sub(r"(?m)^threshold: .*$", "threshold: 42", text), "utf-8")
    os.utime(path, ns=(2_000_000_000, 2_000_000_000))
    assert load_topic_rules(path).threshold == 42
    with pytest.raises(TopicRulesError, match="no such topic vocabulary file"):
        load_topic_rules(tmp_path / "missing.yaml")
