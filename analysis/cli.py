"""Command line: ``python -m analysis COMMAND …``.

Commands: ``documents`` (one JSON object per loaded document, with its
Party-building ``relevance`` and ``party_building`` flag), ``extract``
(one row per indicator mention or citation; of Party-building documents only
unless ``--all-topics``), ``build`` (the store), ``bench``, ``report`` (run a
notebook with papermill and convert it, or every report of the config),
``search`` (sentences of a store's articles that match a query, in context),
``facts`` (the store's facts table, filtered, as CSV or JSON Lines). User mistakes (missing path, unknown format) print
one line to stderr and exit 2; rejected inputs are reported, never fatal.
"""
from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from . import __version__

DOCUMENT_FIELDS = ["doc_id", "title", "published", "byline", "source", "n_chars", "province", "province_2025", "district", "commune",
                   "duplicate_of", "party_building", "relevance"]


class UserError(Exception):
    """A mistake in the command line: reported in one line, exit status 2."""


def _check_inputs(paths: list[str]) -> None:
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UserError(f"no such file or directory: {', '.join(missing)}")


def _check_out(out: str) -> None:
    from .io import FORMATS

    if Path(out).suffix.lower() not in FORMATS:
        raise UserError(f"unknown output format '{Path(out).suffix}' for {out}: use one of {', '.join(FORMATS)}")


def _load(args: argparse.Namespace):
    from .load import read_corpus

    _check_inputs(args.corpus)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = read_corpus(args.corpus, text_column=args.text_column)
    for row in result.rejected.itertuples():
        print(f"rejected: {row.path}: {row.reason}", file=sys.stderr)
    if not args.quiet:
        print(f"loaded {len(result.documents)} document(s), rejected {len(result.rejected)}", file=sys.stderr)
    return result


def cmd_documents(args: argparse.Namespace) -> int:
    from .io import write_table
    from .places import locate_documents

    _check_out(args.out)
    result = _load(args)
    documents = locate_documents(result.documents)
    fields = [f for f in DOCUMENT_FIELDS if f in documents.columns]
    write_table(documents[fields], args.out)
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from .extract import extract, load_rules
    from .io import write_table

    _check_out(args.out)
    rules = load_rules(args.rules) if args.rules else None
    result = _load(args)
    mentions = extract(result.documents, rules=rules, references=True, all_topics=args.all_topics)
    write_table(mentions, args.out)
    if not args.quiet:
        left_out = "" if args.all_topics else f" (left out {int((~result.documents['party_building'].astype(bool)).sum())} " \
                                               "document(s) not about Party building; --all-topics keeps them)"
        print(f"wrote {len(mentions)} mention(s) to {args.out}{left_out}", file=sys.stderr)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    from .build import build
    from .store import StoreBusy

    _check_inputs(args.corpus)
    if args.engine == "local" and args.scheduler:
        raise UserError("--scheduler needs --engine dask")
    try:
        summary = build(args.corpus, store=args.store, workers=args.workers, engine=args.engine,
                        scheduler=args.scheduler, rebuild=args.rebuild, quiet=args.quiet,
                        batch_size=args.batch_size, rules=args.rules, text_column=args.text_column)
    except StoreBusy as exc:
        raise UserError(str(exc)) from None
    print(summary.line())
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from .bench import SAMPLE, BenchError, run_benchmark, run_incremental, run_scale

    if args.changed is not None and not args.incremental:
        raise UserError("--changed needs --incremental")
    if args.incremental and args.scale:
        raise UserError("--incremental and --scale are two different runs: give one")
    source = args.source or SAMPLE
    try:
        if args.incremental:
            if args.changed is not None and not 0 < args.changed <= 1:
                raise UserError(f"--changed must be a fraction in (0, 1], not {args.changed}")
            run_incremental(docs=args.docs, workers=args.workers, seed=args.seed, keep=args.keep,
                            changed=0.01 if args.changed is None else args.changed, source=source)
        elif args.scale:
            run_scale(docs=args.docs, workers=args.workers, seed=args.seed, keep=args.keep, source=source)
        else:
            run_benchmark(docs=args.docs, workers=args.workers, seed=args.seed, keep=args.keep, peer_sample=args.peer_sample,
                          repeat=args.repeat, profile=args.profile, source=source, stage_docs=args.stage_docs)
    except (BenchError, RuntimeError) as exc:
        raise UserError(str(exc)) from None
    return 0


def _parameters(items: list[str] | None) -> dict[str, str | None]:
    """``-p NAME=VALUE`` options as parameters ("none" or nothing: None)."""
    parameters: dict[str, str | None] = {}
    for item in items or []:
        if "=" not in item:
            raise UserError(f"parameter '{item}' is not NAME=VALUE")
        name, value = item.split("=", 1)
        parameters[name] = None if value.lower() in ("none", "") else value
    return parameters


def cmd_report(args: argparse.Namespace) -> int:
    from .report import CELL_TIMEOUT, KEEP_RUNS, ReportError, check_name, run_config, run_report, write_index

    formats = ("html",) if args.html_only else ("html", "pdf")
    if args.timeout is not None and args.timeout <= 0:
        raise UserError(f"--timeout must be a positive number of seconds, not {args.timeout:g}")
    for option, value in (("--jobs", args.jobs), ("--keep-runs", args.keep_runs)):
        if value is not None and value < 1:
            raise UserError(f"{option} must be at least 1, not {value}")
    parameters = _parameters(args.parameter)
    if args.all or args.only:
        overrides = {**parameters, **({"store": str(Path(args.store).resolve())} if args.store else {})}
        try:
            results, errors = run_config(args.config, args.out_dir, only=args.only, if_changed=args.if_changed, formats=formats,
                                         timeout=args.timeout, overrides=overrides, jobs=args.jobs, keep_runs=args.keep_runs)
        except ReportError as exc:  # a mistake in the command line (a report name that is not there): nothing ran
            raise UserError(str(exc)) from None
        for result in results:
            print(_written(result))
        print(f"index: {Path(args.out_dir) / 'index.html'}")
        for error in errors:
            print(f"error: {error}", file=sys.stderr)
        if errors:
            print(f"{len(errors)} report(s) failed, {len(results)} written or unchanged", file=sys.stderr)
        return 1 if errors else 0
    try:
        check_name(args.name)
    except ReportError as exc:
        raise UserError(f"--name: {exc}") from None
    parameters = {"store": args.store or "data/store", **parameters}
    try:
        result = run_report(args.notebook, args.out_dir, parameters, name=args.name, formats=formats,
                            if_changed=args.if_changed, timeout=args.timeout or CELL_TIMEOUT, keep_runs=args.keep_runs or KEEP_RUNS)
    except ReportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        write_index(args.out_dir, {args.name: str(exc)})
        return 1
    write_index(args.out_dir)
    print(_written(result))
    return 0


def cmd_facts(args: argparse.Namespace) -> int:
    """The store's facts (one row per countable figure: subject, level, unit, period, counted and why), filtered."""
    from .io import write_table
    from .params import ParameterError, select_documents
    from .store import connect

    if args.out:
        _check_out(args.out)
    try:
        con = connect(args.store)
    except FileNotFoundError as exc:
        raise UserError(str(exc)) from None
    try:
        views = {name for (name,) in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if "facts" not in views:
            raise UserError(f"the store at {args.store} has no facts table: build it again with this version "
                            f"(python -m analysis build CORPUS --store {args.store})")
        try:
            selection = select_documents(con, args.date_from, args.date_to, args.province, args.include_undated)
        except ParameterError as exc:
            raise UserError(str(exc)) from None
        counted = " AND counted" if args.counted else ""
        facts = con.sql(f"SELECT * FROM facts WHERE doc_id IN (SELECT doc_id FROM documents WHERE {selection.where}){counted} "
                        "ORDER BY doc_id, start, fact_id", params=list(selection.params)).df()
    finally:
        con.close()
    for column in facts.columns[facts.dtypes.astype(str).str.startswith("datetime")]:
        facts[column] = facts[column].dt.strftime("%Y-%m-%d")  # dates as written in the sentence's period: no time
    if args.out:
        write_table(facts, args.out)
    elif args.format == "csv":
        facts.to_csv(sys.stdout, index=False)
    else:
        facts.to_json(sys.stdout, orient="records", lines=True, force_ascii=False)
    notes = [selection.message] if selection.message else []
    print(f"{len(facts)} fact(s) of {selection.documents} document(s) ({selection.describe()})"
          + (f"; wrote {args.out}" if args.out else "") + "".join(f"; {n}" for n in notes), file=sys.stderr)
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from .io import write_table
    from .search import SearchError, format_result, search

    if args.out:
        _check_out(args.out)
    try:
        result = search(args.query, store=args.store, limit=args.limit, province=args.province)
    except SearchError as exc:
        raise UserError(str(exc)) from None
    if len(result):
        print(format_result(result))
    if args.out:
        write_table(result.hits, args.out)
    print(result.message + (f"; wrote {args.out}" if args.out else ""), file=sys.stderr)
    return 0


def _written(result) -> str:
    """One line per report: whether it was written or left unchanged, and its files."""
    return f"{'unchanged' if result.skipped else 'written'}: {result.html}" + (f", {result.pdf}" if result.pdf else "")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m analysis",
        description="Indicators of Vietnamese Party-building news, with provenance.",
    )
    parser.add_argument("--version", action="version", version=f"analysis {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def corpus_command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("corpus", nargs="+", help="files or directories (.txt .html .htm .jsonl .json .csv .parquet)")
        sub.add_argument("--out", required=True, help="output file: .jsonl, .csv or .parquet")
        sub.add_argument("--text-column", default="text", help="text field of JSON/CSV/Parquet records (default: text)")
        sub.add_argument("--quiet", action="store_true", help="print only rejections and errors")
        return sub

    documents = corpus_command("documents", "Write one row per loaded document (id, title, date, byline, place).")
    documents.set_defaults(func=cmd_documents)
    extract = corpus_command("extract", "Write one row per indicator mention and directive citation, with provenance.")
    extract.add_argument("--rules", help="indicator rules file (YAML) to use instead of the packaged one")
    extract.add_argument("--all-topics", action="store_true",
                         help="also write the figures of documents that are not about Party building (flagged off_topic)")
    extract.set_defaults(func=cmd_extract)

    build = commands.add_parser("build", help="Build (or update) the store of analysis tables from a corpus.",
                                description="Load, clean and extract a corpus into Parquet tables and a DuckDB file. "
                                            "Re-runs process only new or changed documents.")
    build.add_argument("corpus", nargs="+", help="files or directories")
    build.add_argument("--store", default="data/store", help="store directory (default: data/store)")
    build.add_argument("--workers", type=int, default=None, help="processes to use (default: all cores)")
    build.add_argument("--engine", choices=["local", "dask"], default="local", help="local processes or Dask tasks")
    build.add_argument("--scheduler", help="address of an existing Dask scheduler (with --engine dask)")
    build.add_argument("--rebuild", action="store_true", help="process every document, even unchanged ones")
    build.add_argument("--batch-size", type=int, default=200, help="documents per task (default: 200)")
    build.add_argument("--rules", help="indicator rules file (YAML) instead of the packaged one")
    build.add_argument("--text-column", default="text", help="text field of JSON/CSV/Parquet records")
    build.add_argument("--quiet", action="store_true", help="no progress bar")
    build.set_defaults(func=cmd_build)

    bench = commands.add_parser("bench", help="Benchmark the build on a synthetic corpus and print the figures.")
    bench.add_argument("--docs", type=int, default=20_000, help="documents to generate (default: 20000)")
    bench.add_argument("--workers", type=int, default=None, help="processes for the build (default: all cores)")
    bench.add_argument("--seed", type=int, default=1, help="seed of the synthetic corpus")
    bench.add_argument("--peer-sample", type=int, default=200, help="documents given to the tokenizer peer")
    bench.add_argument("--keep", help="keep the synthetic corpus and store in this directory")
    bench.add_argument("--repeat", type=int, default=3,
                       help="run floor and build this many times, alternately, and keep the fastest of each (default: 3)")
    bench.add_argument("--profile", metavar="FILE",
                       help="also profile the worker on 1 000 documents with pyinstrument; HTML report to FILE")
    bench.add_argument("--incremental", action="store_true",
                       help="time a full build, a rebuild with nothing changed and one with --changed of the texts changed")
    bench.add_argument("--changed", type=float, default=None, help="fraction of texts changed with --incremental (default: 0.01)")
    bench.add_argument("--from", dest="source", metavar="DIR",
                       help="corpus whose pages and sentences make the synthetic articles (default: the bundled sample)")
    bench.add_argument("--stage-docs", type=int, default=2_000,
                       help="documents of the per-stage timing run, in one process (default: 2000)")
    bench.add_argument("--scale", action="store_true",
                       help="build --docs/10 and --docs articles: time, peak memory and the time for 1 M")
    bench.set_defaults(func=cmd_bench)

    report = commands.add_parser(
        "report", help="Run report notebooks with papermill; write HTML, PDF and reports/index.html.",
        description="Run one notebook with parameters, or the named reports of reports/reports.yml (--all).")
    report.add_argument("--all", action="store_true", help="run every report of the config and write the index")
    report.add_argument("--only", action="append", metavar="NAME", help="run only this named report of the config")
    report.add_argument("--config", default="reports/reports.yml", help="report configuration (default: reports/reports.yml)")
    report.add_argument("--notebook", default="notebooks/report.ipynb", help="notebook to run (without --all)")
    report.add_argument("--store", help="store to report on (default: data/store; with --all: replaces the config's store)")
    report.add_argument("--name", default="report", help="report name: output goes to OUT_DIR/NAME/")
    report.add_argument("-p", "--parameter", action="append", metavar="NAME=VALUE",
                        help="notebook parameter (repeatable; with --all: for every report)")
    report.add_argument("--out-dir", default="reports", help="where reports are written (default: reports)")
    report.add_argument("--if-changed", action="store_true",
                        help="skip reports whose notebook, parameters, code and the store data they read are unchanged")
    report.add_argument("--html-only", action="store_true", help="skip the PDF")
    report.add_argument("--timeout", type=float, metavar="SECONDS",
                        help="stop a cell that runs longer (default: the config's timeout, else 600)")
    report.add_argument("--jobs", type=int, metavar="N", help="with --all: reports run at once (default: one per core)")
    report.add_argument("--keep-runs", type=int, metavar="N",
                        help="run folders kept per report (default: the config's keep_runs, else 3)")
    report.set_defaults(func=cmd_report)

    search = commands.add_parser(
        "search", help="Find the sentences of the store's articles that match words or \"a phrase\", with diacritics or without.",
        description="Full-text search over the titles and sentences of a store's articles (accent-insensitive), "
                    "best matches first, grouped by article, each match shown in its context.")
    search.add_argument("query", help='words that must all occur in a sentence; "quoted words" must occur as written')
    search.add_argument("--store", default="data/store", help="store to search (default: data/store)")
    search.add_argument("--limit", type=int, default=20, help="sentences to show, best first (default: 20)")
    search.add_argument("--province", help="only articles of this province (with or without diacritics)")
    search.add_argument("--out", help="also write the sentence hits to this file: .jsonl, .csv or .parquet")
    search.set_defaults(func=cmd_search)

    facts = commands.add_parser(
        "facts", help="Write the store's facts: each countable figure with its subject, level, unit, period, counted or not and why.",
        description="The facts table of a store (see README, 'Facts and tables'), of the documents the filters keep, "
                    "to standard output (CSV or JSON Lines) or to a file.")
    facts.add_argument("--store", default="data/store", help="store to read (default: data/store)")
    facts.add_argument("--province", help="only documents of this province (with or without diacritics, pre- or post-2025)")
    facts.add_argument("--date-from", metavar="YYYY-MM-DD", help="only documents published on or after this day")
    facts.add_argument("--date-to", metavar="YYYY-MM-DD", help="only documents published on or before this day")
    facts.add_argument("--include-undated", action="store_true", help="with a date limit, also the documents without a date")
    facts.add_argument("--counted", action="store_true", help="only the facts that count in the tables (counted = true)")
    facts.add_argument("--format", choices=["csv", "json"], default="csv",
                       help="format on standard output: csv (default) or json (JSON Lines, one fact a line)")
    facts.add_argument("--out", help="write to this file instead: .jsonl, .json, .csv or .parquet")
    facts.set_defaults(func=cmd_facts)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UserError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
