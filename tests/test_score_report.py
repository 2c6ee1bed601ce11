"""The score report: the scorer's error lines sorted into classes of language by the data file."""
from __future__ import annotations

import json
import sys

import pytest

from analysis.score_report import ScoreError, classify, load_classes, locate, report

TEXT = ("Huyện ủy Tân Phú khen thưởng 12 tập thể\n"
        "Sáng 5/3, Huyện ủy tổ chức hội nghị. Đảng bộ kết nạp 40 đảng viên mới, trong đó có 9 đảng viên nữ. "
        "Có 229/321 chi bộ đạt trong sạch vững mạnh. Năm 2025 phấn đấu kết nạp 60 đảng viên.")
TITLE = "Huyện ủy Tân Phú khen thưởng 12 tập thể"


def _classified(kind: str, indicator: str, value: str, text: str = TEXT, **kwargs) -> str:
    error = ScoreError(kind, "d", indicator, value, f"{kind} d {indicator} {value}", **kwargs)
    locate(error, text, TITLE)
    return classify(error, load_classes())


@pytest.mark.parametrize(
    "kind, indicator, value, expected",
    [
        ("FN", "commended_collectives", "12", "headline_only"),
        ("FP", "party_members", "9", "breakdown_or_subset"),
        ("FP", "party_cells", "321", "ratio_or_share"),
        ("FP", "new_members", "60", "target_or_plan"),
        ("FN", "party_members", "777", "not_written_as_such"),
        ("FP", "reference", "CT 03", "citation_uncoded"),
        ("FN", "reference", "03-CT/TW", "citation_code_form"),
    ],
)
def test_errors_fall_into_their_classes(kind, indicator, value, expected):
    assert _classified(kind, indicator, value) == expected


def test_off_topic_and_document_errors():
    assert _classified("FP", "money_vnd", "5000000000", off_topic=True) == "off_topic_page"
    error = ScoreError("DOC", "d", "title", "gold 'A' got 'B'", "DOC d title gold 'A' got 'B'")
    assert classify(error, load_classes()) == "metadata"


def test_a_bad_class_file_is_an_error_that_says_where(tmp_path):
    path = tmp_path / "classes.yaml"
    path.write_text("classes:\n  - name: x\n    errors: [FP]\n    befor: [cho]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"classes\[0\].*befor"):
        load_classes(path)


def test_report_groups_the_scorers_errors(tmp_path):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "a.json").write_text(json.dumps({"id": "a", "title": TITLE, "text": TEXT}, ensure_ascii=False), encoding="utf-8")
    scorer = tmp_path / "score.py"  # a stand-in that prints what the shared scorer prints
    scorer.write_text(
        "print('indicator tp fp fn')\n"
        "print('  FP a                                        party_members          9')\n"
        "print('  FN a                                        commended_collectives  12')\n"
        "print('micro-F1 0.500')\n", encoding="utf-8")
    text = report(gold, scorer, f"{sys.executable} -m analysis", load_classes())
    assert "micro-F1 0.500" in text
    assert "breakdown_or_subset (1)" in text and "headline_only (1)" in text
    assert "trong đó có 9 đảng viên nữ" in text
