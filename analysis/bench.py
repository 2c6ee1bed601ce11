"""Benchmark: how fast ``build`` is, stage by stage, against a floor and a peer.

In: a corpus to take sentences from (``--from DIR``, any files the loader reads;
default the bundled sample). Out: printed figures (and the returned dict).

``python -m analysis bench --docs N`` writes N synthetic articles of about 5 KB as
JSON Lines shards. Each article is made like a page of the source corpus: the
opening and closing lines of one real page (headline, date, breadcrumbs, menus,
byline, related links: its page chrome), and between them paragraphs recombined
from the sentences of all the pages (deterministic for a seed). Then, each in a
child process on the same files:

* floor — read, decode, parse JSON and NFC-normalize the text, nothing else;
* build — ``analysis.build.build`` with its defaults, i.e. every stage the
  ``build`` command runs, into a fresh store, with ``--workers`` processes;
* stages — the same build in one process on the first ``--stage-docs`` articles,
  with a timer around each function the build calls for a stage (clean, topic,
  places, indicators, organizations, citations, people, conversion to Arrow,
  store write, derived tables); the rest of the time is the main process's
  reading, NFC, record keys and commit;
* peer — underthesea ``word_tokenize`` on a subsample, in one process.

It prints the per-stage milliseconds per document with their total, floor and
build times, build/floor, documents/s per core and peer/build per core, then a
one-line summary.

``--repeat N`` runs floor and build N times, alternately, and keeps the fastest
run of each: on a shared virtual machine the same work can take 30% longer from
one minute to the next. ``--profile FILE`` also profiles the worker's function
(all stages) on 1 000 documents with pyinstrument and writes its HTML report.

``--scale`` builds N/10 and N articles (one run each, progress bar on a terminal)
and prints time and peak memory of both and their ratio, and the time 1 M
articles would take at the measured rate.

``--incremental`` measures the scheduled case: a full build, a rebuild with
nothing changed and a rebuild with ``--changed`` (default 1 %) of the texts
changed, each in a child process on the same store.
"""
from __future__ import annotations

import contextlib
import importlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from .extract.sentences import split_sentences

TARGET_BYTES = 5_000
SHARD = 1_000
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
# A line of at least this many words is running text; the shorter lines that open and
# close a page are its header and chrome (headline, date, menus, byline, related links).
BODY_LINE_WORDS = 25
MIN_SENTENCE_CHARS = 30

# The functions ``build`` calls for each stage, timed by the stages phase. Timings are
# exclusive: time spent in a timed function called from another (organizations inside
# indicators, derived tables inside the commit) counts for the inner one only.
STAGE_FUNCTIONS = (
    ("clean", "analysis.load", "clean_document"),
    ("topic", "analysis.load", "topic_columns"),
    ("places", "analysis.places", "locate_text"),
    ("indicators", "analysis.extract", "extract_document"),
    ("organizations", "analysis.extract.engine", "find_organizations"),
    ("citations", "analysis.extract", "document_citations"),
    ("people", "analysis.extract", "document_people"),
    ("rows to Arrow", "analysis.build", "rows_to_arrow"),
    ("store write", "analysis.store", "Generation.write_batch"),
    ("derived tables", "analysis.facts", "write_derived"),
    ("commit", "analysis.store", "Store.commit"),
)
REST = "read, NFC, keys (main)"
RESULT_MARK = "bench-figures: "


class BenchError(ValueError):
    """A benchmark parameter or source corpus that cannot be used; the message says why."""


@dataclass(frozen=True)
class SourcePage:
    """The frame of one page of the source corpus: what comes before and after its running text."""

    head: tuple[str, ...]
    tail: tuple[str, ...]
    title: str | None
    published: str | None
    host: str | None


@dataclass(frozen=True)
class SentencePool:
    """What synthetic articles are made of."""

    pages: tuple[SourcePage, ...]
    sentences: tuple[str, ...]  # of the running text of every page
    short_lines: tuple[str, ...]  # short lines between running text (captions, subheadings)
    paragraph_sizes: tuple[int, ...]  # sentences per paragraph, as found
    source: str


def sentence_pool(source: str | os.PathLike = SAMPLE) -> SentencePool:
    """Split every page the loader reads from ``source`` into frame, paragraphs and sentences."""
    from .clean import nfc
    from .load import RawRecord, iter_inputs

    root = Path(source)
    if not root.exists():
        raise BenchError(f"--from {source}: no such file or directory")
    pages: list[SourcePage] = []
    sentences: list[str] = []
    short: list[str] = []
    sizes: list[int] = []
    for item in iter_inputs(root):
        if not isinstance(item, RawRecord):
            continue
        lines = [line.strip() for line in nfc(item.raw_text).split("\n") if line.strip()]
        body = [i for i, line in enumerate(lines) if len(line.split()) >= BODY_LINE_WORDS]
        if not body:
            continue
        first, last = body[0], body[-1]
        host = urlparse(item.source).hostname if "://" in str(item.source) else None
        published = None if item.published is None else str(item.published)
        pages.append(SourcePage(tuple(lines[:first]), tuple(lines[last + 1:]), item.title, published, host))
        for line in lines[first:last + 1]:
            if len(line.split()) < BODY_LINE_WORDS:
                short.append(line)
                continue
            found = [line[a:b] for a, b in split_sentences(line) if b - a >= MIN_SENTENCE_CHARS]
            sentences.extend(found)
            sizes.append(max(1, len(found)))
    if not sentences:
        raise BenchError(f"--from {source}: no page with running text (a line of {BODY_LINE_WORDS}+ words) to take sentences from")
    return SentencePool(tuple(pages), tuple(sentences), tuple(short), tuple(sizes), str(source))


def synthetic_record(i: int, pool: SentencePool, rng: random.Random) -> dict:
    """One synthetic article: a real page's frame around about ``TARGET_BYTES`` of recombined paragraphs."""
    page = rng.choice(pool.pages)
    blocks = list(page.head)
    size = sum(len(b.encode("utf-8")) + 2 for b in (*page.head, *page.tail))
    short_share = len(pool.short_lines) / (len(pool.short_lines) + len(pool.paragraph_sizes))
    while size < TARGET_BYTES:
        if pool.short_lines and rng.random() < short_share:
            block = rng.choice(pool.short_lines)
        else:
            block = " ".join(rng.choice(pool.sentences) for _ in range(rng.choice(pool.paragraph_sizes)))
        blocks.append(block)
        size += len(block.encode("utf-8")) + 2
    blocks.extend(page.tail)
    record = {"id": f"synthetic-{i:07d}", "url": f"https://{page.host or 'example.vn'}/synthetic/{i}",
              "text": "\n\n".join(blocks)}
    if page.title:
        record["title"] = page.title
    if page.published:
        record["published"] = page.published
    return record


def generate_corpus(directory: Path, docs: int, seed: int, source: str | os.PathLike = SAMPLE,
                    shard: int = SHARD) -> tuple[int, int]:
    """Write ``docs`` synthetic articles as JSONL shards of ``shard`` lines; return (files, bytes)."""
    from tqdm import tqdm

    rng = random.Random(seed)
    pool = sentence_pool(source)
    directory.mkdir(parents=True, exist_ok=True)
    total = files = 0
    quiet = bool(os.environ.get("CI")) or not sys.stderr.isatty() or docs < 10 * shard  # a bar only for long runs
    with tqdm(total=docs, unit=" doc", desc="corpus", disable=quiet, dynamic_ncols=True) as progress:
        for start in range(0, docs, shard):
            path = directory / f"shard-{start // shard:05d}.jsonl"
            with path.open("w", encoding="utf-8") as handle:
                for i in range(start, min(docs, start + shard)):
                    line = json.dumps(synthetic_record(i, pool, rng), ensure_ascii=False) + "\n"
                    handle.write(line)
                    total += len(line.encode("utf-8"))
            files += 1
            progress.update(min(docs, start + shard) - start)
    return files, total


@contextlib.contextmanager
def stage_timers() -> Iterator[dict[str, float]]:
    """Wrap each function of ``STAGE_FUNCTIONS`` with an exclusive timer; yields the seconds per stage.

    A function that is no longer where the table says raises: the table must follow the build.
    """
    totals: dict[str, float] = defaultdict(float)
    inner: list[float] = []  # per active timed call: time spent in timed calls below it
    restore = []

    def timed(stage: str, function):
        def wrapper(*args, **kwargs):
            inner.append(0.0)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                below = inner.pop()
                totals[stage] += elapsed - below
                if inner:
                    inner[-1] += elapsed
        return wrapper

    for stage, module_name, attribute in STAGE_FUNCTIONS:
        owner: object = importlib.import_module(module_name)
        *path, name = attribute.split(".")
        for part in path:
            owner = getattr(owner, part)
        function = getattr(owner, name, None)
        if function is None:
            raise RuntimeError(f"benchmark: the build's {stage} stage is no longer {module_name}.{attribute}")
        restore.append((owner, name, function))
        setattr(owner, name, timed(stage, function))
    try:
        yield totals
    finally:
        for owner, name, function in reversed(restore):
            setattr(owner, name, function)


def child(argv: list[str] | None = None) -> None:
    """One measured phase, in its own process; prints its figures as one JSON line."""
    import resource

    phase, corpus, store, workers, sample = (argv or sys.argv[1:])[:5]
    paths = corpus.split(os.pathsep)
    started = time.perf_counter()
    docs = 0
    extra: dict = {}
    if phase == "floor":
        import unicodedata

        for path in _shards(paths):
            for line in path.read_bytes().decode("utf-8").splitlines():
                unicodedata.normalize("NFC", json.loads(line)["text"])
                docs += 1
    elif phase in ("build", "incremental", "scale"):
        from .build import build

        summary = build(paths, store=store, workers=int(workers), quiet=phase != "scale", rebuild=phase != "incremental")
        docs = summary.processed
        extra = {"reused": summary.reused, "mentions": summary.mentions}
    elif phase == "stages":
        from .build import build

        with stage_timers() as totals:
            started = time.perf_counter()
            summary = build(paths, store=store, workers=1, quiet=True, rebuild=True)
        docs = summary.processed
        extra = {"stages": dict(totals)}
    elif phase == "peer":
        from underthesea import word_tokenize

        texts: list[str] = []
        for path in _shards(paths):
            for line in path.read_text("utf-8").splitlines()[: int(sample) - len(texts)]:
                texts.append(json.loads(line)["text"])
        started = time.perf_counter()
        for text in texts:
            word_tokenize(text)
        docs = len(texts)
    else:
        raise SystemExit(f"unknown benchmark phase {phase}")
    elapsed = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    figures = {"docs": docs, "seconds": elapsed, "rss_main_mb": own, "rss_worker_mb": children, **extra}
    print("\n" + RESULT_MARK + json.dumps(figures), flush=True)


def _shards(paths: list[str]) -> list[Path]:
    return sorted(p for root in map(Path, paths) for p in ([root] if root.is_file() else root.glob("*.jsonl")))


def _measure(phase: str, corpus: Path | list[Path], store: Path, workers: int, sample: int = 0) -> dict:
    paths = os.pathsep.join(str(p) for p in (corpus if isinstance(corpus, list) else [corpus]))
    command = [sys.executable, "-c", "from analysis.bench import child; child()", phase, paths, str(store), str(workers),
               str(sample)]
    # The scale phase shows the build's progress bar: its stderr is the terminal's.
    proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=None if phase == "scale" else subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark phase {phase} failed:\n{(proc.stderr or '')[-2000:]}")
    return read_result(proc.stdout)


def read_result(stdout: str) -> dict:
    """The figures a phase printed last, after ``RESULT_MARK``: other output may come before
    them on the same line (DuckDB draws a progress bar on stdout for a query over 2 s)."""
    at = stdout.rfind(RESULT_MARK)
    if at < 0:
        raise RuntimeError(f"benchmark phase printed no figures; its output ends: {stdout[-500:]}")
    return json.loads(stdout[at + len(RESULT_MARK):].split("\n", 1)[0])


def check_parameters(docs: int, workers: int | None = None, repeat: int = 1, peer_sample: int = 0,
                     source: str | os.PathLike | None = None, stage_docs: int = 1) -> None:
    """Refuse a bad parameter before any work starts."""
    if docs < 1:
        raise BenchError(f"--docs must be at least 1, not {docs}")
    if workers is not None and workers < 1:
        raise BenchError(f"--workers must be at least 1, not {workers}")
    if repeat < 1:
        raise BenchError(f"--repeat must be at least 1, not {repeat}")
    if peer_sample < 0:
        raise BenchError(f"--peer-sample must be 0 or more, not {peer_sample}")
    if stage_docs < 1:
        raise BenchError(f"--stage-docs must be at least 1, not {stage_docs}")
    if source is not None and not Path(source).exists():
        raise BenchError(f"--from {source}: no such file or directory")


def _workspace(keep: str | None) -> tuple[Path, Path, Path]:
    base = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="analysis-bench-"))
    corpus, store = base / "corpus", base / "store"
    for old in (corpus, store):
        shutil.rmtree(old, ignore_errors=True)
    return base, corpus, store


def _generate(corpus: Path, docs: int, seed: int, source: str | os.PathLike, workers: int, shard: int = SHARD) -> int:
    t0 = time.perf_counter()
    files, size = generate_corpus(corpus, docs, seed, source, shard)
    print(f"corpus: {docs} documents from the sentences of {source}, {size / 1e6:.1f} MB in {files} JSONL files "
          f"({size / docs / 1000:.1f} KB/document), generated in {time.perf_counter() - t0:.1f}s; {workers} worker(s), "
          f"{os.cpu_count()} core(s)", flush=True)
    return size


def stage_table(result: dict) -> tuple[dict[str, float], float]:
    """Milliseconds per document of each stage (and the rest) from a stages run, and their total."""
    docs = max(1, result["docs"])
    stages = {stage: result["stages"].get(stage, 0.0) * 1000 / docs for stage, _, _ in STAGE_FUNCTIONS}
    total = result["seconds"] * 1000 / docs
    stages[REST] = max(0.0, total - sum(stages.values()))
    return stages, total


def run_benchmark(docs: int = 20_000, workers: int | None = None, seed: int = 1, keep: str | None = None,
                  peer_sample: int = 200, repeat: int = 1, profile: str | None = None,
                  source: str | os.PathLike = SAMPLE, stage_docs: int = 2_000) -> dict:
    """Generate, measure and print; returns the figures."""
    check_parameters(docs, workers, repeat, peer_sample, source, stage_docs)
    workers = workers or os.cpu_count() or 1
    base, corpus, store = _workspace(keep)
    size = _generate(corpus, docs, seed, source, workers)
    runs: dict[str, list[dict]] = {"floor": [], "build": []}
    for _ in range(repeat):  # alternately, so both sides of build/floor share the machine's mood
        for phase in runs:
            runs[phase].append(_measure(phase, corpus, store, workers))
    results = {phase: min(found, key=lambda r: r["seconds"]) for phase, found in runs.items()}
    if repeat > 1:
        print("runs (seconds): " + "; ".join(f"{p} " + ", ".join(f"{r['seconds']:.1f}" for r in found)
                                           for p, found in runs.items()) + " — the fastest of each is kept")
    shards = sorted(corpus.glob("*.jsonl"))[: max(1, -(-min(stage_docs, docs) // SHARD))]
    stages_result = _measure("stages", shards, base / "stages-store", 1)
    shutil.rmtree(base / "stages-store", ignore_errors=True)
    per_stage, stage_total = stage_table(stages_result)
    print(f"per stage, one process, {stages_result['docs']} documents (ms per document):")
    for stage, ms in per_stage.items():
        print(f"  {stage:<26}{ms:>8.3f}{ms / stage_total:>8.1%}")
    print(f"  {'total':<26}{stage_total:>8.3f}  ({1000 / stage_total:.0f} documents/s in one process)")
    figures: dict = {"stages": {"ms_per_doc": per_stage, "total_ms": stage_total, "docs": stages_result["docs"]}}
    if peer_sample:
        results["peer"] = _measure("peer", corpus, store, workers, peer_sample)
    print(f"{'phase':<22}{'docs':>9}{'seconds':>10}{'docs/s':>10}{'MB/s':>8}{'RSS main MB':>13}{'RSS worker MB':>15}")
    names = {"floor": "floor (read+NFC)", "build": f"build (× {workers})", "peer": "peer (word_tokenize ×1)"}
    for phase, result in results.items():
        seconds = result["seconds"] * docs / result["docs"] if result["docs"] else 0.0  # the peer ran on a subsample
        figures[phase] = {**result, "scaled_seconds": seconds, "docs_per_s": docs / seconds if seconds else 0.0,
                          "mb_per_s": size / 1e6 / seconds if seconds else 0.0}
        f = figures[phase]
        print(f"{names[phase]:<22}{docs:>9}{seconds:>10.1f}{f['docs_per_s']:>10.0f}{f['mb_per_s']:>8.2f}"
              f"{f['rss_main_mb']:>13.0f}{f['rss_worker_mb']:>15.0f}")
    build_s = figures["build"]["scaled_seconds"]
    build_vs_floor = build_s / figures["floor"]["scaled_seconds"]
    per_core = figures["build"]["docs_per_s"] / workers
    # The peer runs in one process and the build on ``workers``: compared per core.
    peer_vs_build = figures["peer"]["scaled_seconds"] / (build_s * workers) if peer_sample else float("nan")
    figures["ratios"] = {"build_vs_floor": build_vs_floor, "per_core": per_core, "peer_vs_build_per_core": peer_vs_build}
    print(f"build/floor {build_vs_floor:.1f}× (target ≤ 30), build {per_core:.0f} documents/s per core (target ≥ 1000), "
          f"peer/build {peer_vs_build:.1f}× per core (target ≥ 50)")
    if profile:
        text = profile_worker(corpus, Path(profile))
        print(f"profile of the worker on 1 000 documents written to {profile}; its top:")
        print("\n".join(line for line in text.splitlines()[:40] if line.strip()))
    if not keep:
        shutil.rmtree(base, ignore_errors=True)
    print(f"summary: {docs} docs, build {figures['build']['docs_per_s']:.0f} docs/s ({per_core:.0f}/core), "
          f"{stage_total:.2f} ms/doc in one process, build/floor {build_vs_floor:.1f}×, peer/build {peer_vs_build:.1f}× per core, "
          f"peak RSS main {figures['build']['rss_main_mb']:.0f} MB + worker {figures['build']['rss_worker_mb']:.0f} MB")
    return figures


def run_scale(docs: int = 100_000, workers: int | None = None, seed: int = 1, keep: str | None = None,
              source: str | os.PathLike = SAMPLE) -> dict:
    """Build N/10 and N synthetic articles; print time, peak memory, their ratios and the time for 1 M."""
    check_parameters(docs, workers, source=source)
    if docs < 10:
        raise BenchError(f"--scale needs --docs of at least 10, not {docs}")
    workers = workers or os.cpu_count() or 1
    base, corpus, store = _workspace(keep)
    shard = min(SHARD, docs // 10)
    _generate(corpus, docs, seed, source, workers, shard)
    shards = sorted(corpus.glob("*.jsonl"))
    figures: dict[int, dict] = {}
    for n in (docs // 10, docs):
        figures[n] = _measure("scale", shards[: -(-n // shard)], store, workers)
        f = figures[n]
        print(f"{f['docs']} documents: {f['seconds']:.1f}s, {f['docs'] / f['seconds']:.0f} documents/s, peak RSS main "
              f"{f['rss_main_mb']:.0f} MB, worker {f['rss_worker_mb']:.0f} MB", flush=True)
    small, large = figures[docs // 10], figures[docs]
    rate = large["docs"] / large["seconds"]
    ratios = {key: large[key] / small[key] if small[key] else float("nan") for key in ("rss_main_mb", "rss_worker_mb")}
    if not keep:
        shutil.rmtree(base, ignore_errors=True)
    print(f"summary: {large['docs']} docs in {large['seconds'] / 60:.1f} min ({rate:.0f} documents/s, {rate / workers:.0f}/core); "
          f"peak RSS at 10× the documents: main {ratios['rss_main_mb']:.2f}×, worker {ratios['rss_worker_mb']:.2f}× "
          f"(target ≤ 1.2×); 1 000 000 documents at this rate: {1e6 / rate / 60:.0f} min (target ≤ 20)")
    return {"runs": figures, "rss_ratio": ratios, "minutes_per_million": 1e6 / rate / 60}


def change_corpus(directory: Path, fraction: float, seed: int) -> int:
    """Change the text of ``fraction`` of the records (chosen at random) in place; return how many."""
    shards = sorted(directory.glob("*.jsonl"))
    lines = [len(path.read_text("utf-8").splitlines()) for path in shards]
    total = sum(lines)
    chosen = set(random.Random(seed + 1).sample(range(total), max(1, round(total * fraction))) if total else [])
    number = 0
    for path, count in zip(shards, lines, strict=True):
        out = []
        for line in path.read_text("utf-8").splitlines():
            if number in chosen:
                record = json.loads(line)
                record["text"] += " Đảng bộ xã kết nạp thêm 3 đảng viên mới."
                line = json.dumps(record, ensure_ascii=False)
            out.append(line)
            number += 1
        if any(n in chosen for n in range(number - count, number)):
            path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return len(chosen)


def run_incremental(docs: int = 10_000, workers: int | None = None, seed: int = 1, keep: str | None = None,
                    changed: float = 0.01, source: str | os.PathLike = SAMPLE) -> dict:
    """Time a full build, a rebuild with nothing changed and one with ``changed`` of the texts changed."""
    if not 0 < changed <= 1:
        raise ValueError(f"--changed must be a fraction in (0, 1], not {changed}")
    check_parameters(docs, workers, source=source)
    workers = workers or os.cpu_count() or 1
    base, corpus, store = _workspace(keep)
    _generate(corpus, docs, seed, source, workers)
    figures: dict[str, dict] = {}
    for phase, kind in (("full", "build"), ("unchanged", "incremental"), ("changed", "incremental")):
        if phase == "changed":
            count = change_corpus(corpus, changed, seed)
        figures[phase] = _measure(kind, corpus, store, workers)
        print(f"{phase}: {figures[phase]['seconds']:.1f}s", flush=True)  # as they come: a large run takes long
    full = figures["full"]["seconds"]
    names = {"full": "full build", "unchanged": "nothing changed", "changed": f"{count} changed ({changed:.1%})"}
    print(f"{'build':<24}{'processed':>10}{'reused':>9}{'seconds':>10}{'× full':>8}{'RSS main MB':>13}{'RSS worker MB':>15}")
    for phase, f in figures.items():
        print(f"{names[phase]:<24}{f['docs']:>10}{f.get('reused', 0):>9}{f['seconds']:>10.1f}{f['seconds'] / full:>8.2f}"
              f"{f['rss_main_mb']:>13.0f}{f['rss_worker_mb']:>15.0f}")
    if not keep:
        shutil.rmtree(base, ignore_errors=True)
    print(f"summary: {docs} docs, full {full:.1f}s, nothing changed {figures['unchanged']['seconds']:.1f}s "
          f"({figures['unchanged']['seconds'] / full:.2f}× full), {changed:.1%} changed {figures['changed']['seconds']:.1f}s "
          f"({figures['changed']['seconds'] / full:.2f}× full)")
    return figures


def profile_worker(corpus: Path, output: Path, docs: int = 1_000) -> str:
    """Profile ``process_batch`` (every stage) on the first ``docs`` documents; write pyinstrument's
    HTML report to ``output`` and return its text summary."""
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise RuntimeError("--profile needs pyinstrument: pip install pyinstrument (it is in the dev extra)") from None
    from .build import STAGES, process_batch, record_key
    from .load import RawRecord, iter_inputs

    items: list[tuple[int, RawRecord, str]] = []
    for item in iter_inputs(corpus):
        if isinstance(item, RawRecord):
            items.append((len(items), item, record_key(item, "profile")))
        if len(items) >= docs:
            break
    process_batch(items[:10], "profile", None, STAGES)  # load the gazetteer and rules outside the profile
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for start in range(0, len(items), 200):
        process_batch(items[start : start + 200], "profile", None, STAGES)
    profiler.stop()
    output.write_text(profiler.output_html(), encoding="utf-8")
    return profiler.output_text(unicode=False, color=False)
