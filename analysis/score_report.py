"""Where extraction still fails: the gold scorer's errors, grouped by class of language.

In: a gold directory (``../shared/gold/dev``), the shared scorer and the command it runs,
and the error classes (``analysis/rules/error_classes.yaml``; its header explains them).
Out, on stdout: the scorer's table unchanged, then every error line it reports
(``--show-errors``) under the first class whose conditions it meets, each with the
sentence it was found in. ``make score`` runs this.

    python -m analysis.score_report [GOLD_DIR] [--scorer PATH] [--cmd "python -m analysis"]

An error's sentence is found by reading the numbers of the article's text
(``find_numbers``) for the erroneous value; a value not written there is "not located".
Whether a document is off-topic comes from the ``documents`` command's
``party_building`` column when it has one.
"""
from __future__ import annotations

import argparse
import json
import re
import shlex
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .clean.normalize import match_form
from .config import rules_file
from .extract.numbers import find_numbers
from .extract.rules import PhraseSet
from .extract.sentences import split_sentences

_ERROR = re.compile(r"^\s+(?P<kind>FP|FN)\s+(?P<doc>\S+)\s+(?P<indicator>\S+)\s+(?P<value>.+?)\s*$")
_DOC = re.compile(r"^\s+DOC\s+(?P<doc>\S+)\s+(?P<field>\S+)\s+(?P<rest>gold .*)$")
_CONDITIONS = {"description", "name", "errors", "indicators", "off_topic", "located", "headline", "before", "after",
               "sentence", "value", "written"}


@dataclass(frozen=True)
class ErrorClass:
    name: str
    description: str
    errors: frozenset[str]
    indicators: frozenset[str] = frozenset()
    off_topic: bool | None = None
    located: bool | None = None
    headline: bool | None = None
    before: PhraseSet = field(default_factory=lambda: PhraseSet.of(None))
    after: PhraseSet = field(default_factory=lambda: PhraseSet.of(None))
    sentence: PhraseSet = field(default_factory=lambda: PhraseSet.of(None))
    value: re.Pattern[str] | None = None
    written: re.Pattern[str] | None = None


@dataclass
class ScoreError:
    kind: str  # FP, FN or DOC
    doc_id: str
    indicator: str  # indicator, "reference", or the document field
    value: str
    line: str
    off_topic: bool = False
    located: bool = False
    headline: bool = False
    before: str = ""
    after: str = ""
    sentence: str = ""
    around: str = ""
    snippet: str = ""  # the words around the value, as written


def load_classes(path: str | Path | None = None) -> list[ErrorClass]:
    """The error classes of a YAML file (the packaged one by default); a bad entry is an error saying where."""
    source = Path(path) if path else rules_file("error_classes.yaml")
    data = yaml.safe_load(source.read_text("utf-8")) or {}
    classes = []
    for i, spec in enumerate(data.get("classes") or []):
        where = f"{source}: classes[{i}]"
        if not isinstance(spec, dict) or "name" not in spec or "errors" not in spec:
            raise ValueError(f"{where}: a class needs 'name' and 'errors'")
        unknown = set(spec) - _CONDITIONS
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}")
        kinds = set(spec["errors"])
        if not kinds <= {"FP", "FN", "DOC"}:
            raise ValueError(f"{where}: errors must be FP, FN or DOC, not {sorted(kinds - {'FP', 'FN', 'DOC'})}")
        try:
            value = re.compile(spec["value"]) if spec.get("value") else None
            written = re.compile(spec["written"]) if spec.get("written") else None
        except re.error as exc:
            raise ValueError(f"{where}: bad regular expression: {exc}") from None
        classes.append(ErrorClass(
            name=str(spec["name"]), description=str(spec.get("description", "")), errors=frozenset(kinds),
            indicators=frozenset(spec.get("indicators") or []), off_topic=spec.get("off_topic"),
            located=spec.get("located"), headline=spec.get("headline"),
            before=PhraseSet.of(spec.get("before")), after=PhraseSet.of(spec.get("after")),
            sentence=PhraseSet.of(spec.get("sentence")), value=value, written=written,
        ))
    return classes


def classify(error: ScoreError, classes: list[ErrorClass]) -> str:
    """The name of the first class ``error`` fits, else "unclassified"."""
    for c in classes:
        if error.kind not in c.errors or (c.indicators and error.indicator not in c.indicators):
            continue
        if c.off_topic is not None and c.off_topic != error.off_topic:
            continue
        if c.located is not None and c.located != error.located:
            continue
        if c.headline is not None and c.headline != error.headline:
            continue
        if c.before and not c.before.search(error.before):
            continue
        if c.after and not c.after.search(error.after):
            continue
        if c.sentence and not c.sentence.search(error.sentence):
            continue
        if c.value is not None and not c.value.search(error.value):
            continue
        if c.written is not None and not c.written.search(error.around):
            continue
        return c.name
    return "unclassified"


def _same(indicator: str, a: float, b: float | None) -> bool:
    if b is None:
        return False
    return abs(a - b) <= 0.005 * max(abs(a), abs(b)) if indicator == "money_vnd" else a == b


def locate(error: ScoreError, text: str, title: str | None = None) -> None:
    """Fill in where ``error``'s value is written in the article ``text`` (the headline is
    the line that reads as the gold ``title``, if any)."""
    if error.kind == "DOC" or error.indicator == "reference":
        return
    try:
        value = float(error.value)
    except ValueError:
        return
    headline_end = 0
    wanted = " ".join((title or "").split())
    if wanted:
        offset = 0
        for line in text.split("\n"):
            if " ".join(line.split()) == wanted:
                headline_end = offset + len(line)
                break
            offset += len(line) + 1
    found = None
    for start, end in split_sentences(text):
        numbers = find_numbers(text, None, start, end)
        hit = next((n for n in numbers if _same(error.indicator, value, n.value) or _same(error.indicator, value, n.denominator)),
                   None)
        if hit is not None:
            if found is None or start >= headline_end:
                found = (start, end, hit)
            if start >= headline_end:
                break  # a body sentence is the better evidence
    if found is None:
        return
    start, end, number = found
    error.located = True
    error.headline = start < headline_end  # found only in the headline
    error.sentence = match_form(text[start:end])
    error.before = match_form(text[max(start, number.start - 60) : number.start])
    error.after = match_form(text[number.end : min(end, number.end + 40)])
    error.around = text[max(start, number.start - 12) : min(end, number.end + 12)]
    error.snippet = " ".join(text[max(start, number.start - 70) : min(end, number.end + 70)].split())


def _off_topic(cmd: str, corpus: Path, out: Path) -> set[str]:
    """Ids of the documents the project calls not about Party building (none if it does not say)."""
    proc = subprocess.run([*shlex.split(cmd), "documents", str(corpus), "--out", str(out), "--quiet"],
                          capture_output=True, text=True)
    if proc.returncode != 0 or not out.exists():
        return set()
    ids = set()
    for line in out.read_text("utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            if row.get("party_building") is False:
                ids.add(str(row.get("doc_id")))
    return ids


def report(gold_dir: Path, scorer: Path, cmd: str, classes: list[ErrorClass]) -> str:
    """The scorer's table followed by its errors by class, as text."""
    proc = subprocess.run([sys.executable, str(scorer), str(gold_dir), "--cmd", cmd, "--show-errors"],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"the scorer failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    gold = {}
    for path in sorted(gold_dir.glob("*.json")):
        doc = json.loads(path.read_text("utf-8"))
        gold[str(doc["id"])] = doc
    table: list[str] = []
    errors: list[ScoreError] = []
    for line in proc.stdout.splitlines():
        m, d = _ERROR.match(line), _DOC.match(line)
        if m:
            errors.append(ScoreError(m["kind"], m["doc"], m["indicator"], m["value"], line.strip()))
        elif d:
            errors.append(ScoreError("DOC", d["doc"], d["field"], d["rest"], line.strip()))
        else:
            table.append(line)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus.jsonl"
        corpus.write_text("".join(json.dumps({"id": k, "url": v.get("url"), "text": v["text"]}, ensure_ascii=False) + "\n"
                                  for k, v in gold.items()), encoding="utf-8")
        off_topic = _off_topic(cmd, corpus, Path(tmp) / "documents.jsonl") if errors else set()
    by_class: dict[str, list[ScoreError]] = {}
    for error in errors:
        error.off_topic = error.doc_id in off_topic
        if error.doc_id in gold:
            locate(error, gold[error.doc_id]["text"], gold[error.doc_id].get("title"))
        by_class.setdefault(classify(error, classes), []).append(error)
    descriptions = {c.name: c.description for c in classes} | {"unclassified": "no class fits"}
    out = table + ["", f"errors by class ({len(errors)}):"]
    order = [c.name for c in classes] + ["unclassified"]
    for name in sorted(by_class, key=lambda n: (-len(by_class[n]), order.index(n))):
        out.append(f"  {name} ({len(by_class[name])}): {descriptions[name]}")
        for error in by_class[name]:
            out.append(f"    {error.line}" + (f"\n        « {error.snippet} »" if error.snippet else ""))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    here = Path.cwd()
    ap = argparse.ArgumentParser(prog="python -m analysis.score_report", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gold_dir", nargs="?", default=str(here / ".." / "shared" / "gold" / "dev"))
    ap.add_argument("--scorer", default=str(here / ".." / "shared" / "tools" / "score.py"))
    ap.add_argument("--cmd", default=f"{shlex.quote(sys.executable)} -m analysis")
    ap.add_argument("--classes", default=None, help="error classes YAML (default: analysis/rules/error_classes.yaml)")
    args = ap.parse_args(argv)
    gold_dir, scorer = Path(args.gold_dir), Path(args.scorer)
    if not gold_dir.is_dir():
        ap.error(f"no gold directory {gold_dir}")
    if not scorer.is_file():
        ap.error(f"no scorer {scorer}")
    try:
        classes = load_classes(args.classes)
    except (OSError, ValueError) as exc:
        ap.error(str(exc))
    try:
        print(report(gold_dir, scorer, args.cmd, classes))
    except RuntimeError as exc:
        print(f"score_report: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
