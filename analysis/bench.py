"""Benchmark: how fast the build is, against a floor and a peer, on one corpus.

``python -m analysis bench --docs N`` generates N synthetic articles of about
5 KB by recombining sentences of the bundled sample (deterministic for a
seed), writes them as JSON Lines shards, and measures in child processes, on
the same files:

* floor — read, decode, parse JSON and NFC-normalize the text, nothing else;
* build — the full build (places, indicators, citations) into a fresh store;
  people (underthesea part-of-speech tags) are a second, slower stage and are
  measured apart;
* peer — underthesea ``word_tokenize`` on a subsample, scaled to N.

It prints documents/s, MB/s and peak resident memory for each, the ratios
build/floor and peer/build, and a one-line summary last.

``--incremental`` measures the scheduled case instead: a full build, a
rebuild with nothing changed, and a rebuild with ``--changed`` (default 1 %)
of the records' texts changed (chosen at random, so most parts are touched),
each in a child process on the same store, and prints the three timings and
their ratios to the full build.

``--repeat N`` runs floor and build N times, alternately, and keeps the fastest
run of each: on a shared virtual machine the same work can take 30% longer from
one minute to the next, and alternating keeps the two sides of the ratio under
the same conditions. ``--profile FILE`` also profiles the worker's function on
1 000 of the documents with pyinstrument (a development dependency) and writes
its HTML report to FILE.
"""
from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from .extract.sentences import split_sentences

TARGET_BYTES = 5_000
SHARD = 1_000


def sample_sentences() -> list[str]:
    """Sentences of the bundled sample articles (the building blocks)."""
    from .load import load_corpus

    root = Path(__file__).resolve().parents[1] / "data" / "sample"
    docs = load_corpus(root, warn=False)
    sentences: list[str] = []
    for text in docs["text"]:
        sentences.extend(text[a:b] for a, b in split_sentences(text) if b - a > 30)
    return sentences


def generate_corpus(directory: Path, docs: int, seed: int) -> tuple[int, int]:
    """Write ``docs`` synthetic articles as JSONL shards; return (files, bytes)."""
    rng = random.Random(seed)
    sentences = sample_sentences()
    directory.mkdir(parents=True, exist_ok=True)
    total = 0
    files = 0
    for start in range(0, docs, SHARD):
        path = directory / f"shard-{start // SHARD:05d}.jsonl"
        with path.open("w", encoding="utf-8") as handle:
            for i in range(start, min(docs, start + SHARD)):
                body, size = [], 0
                while size < TARGET_BYTES:
                    sentence = rng.choice(sentences)
                    body.append(sentence)
                    size += len(sentence.encode("utf-8")) + 1
                record = {"id": f"synthetic-{i:07d}", "url": f"https://example.vn/{i}", "text": " ".join(body)}
                line = json.dumps(record, ensure_ascii=False) + "\n"
                handle.write(line)
                total += len(line.encode("utf-8"))
        files += 1
    return files, total


_CHILD = textwrap.dedent("""
    import json, resource, sys, time
    phase, corpus, store, workers, sample = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    started = time.perf_counter()
    docs = 0
    extra = {}
    if phase == "floor":
        import unicodedata
        from pathlib import Path
        for path in sorted(Path(corpus).glob("*.jsonl")):
            for line in path.read_bytes().decode("utf-8").splitlines():
                unicodedata.normalize("NFC", json.loads(line)["text"])
                docs += 1
    elif phase in ("build", "people", "incremental"):
        from analysis.build import build
        stages = ("people",) if phase == "people" else ("places", "indicators", "citations")
        summary = build(corpus, store=store, workers=workers, quiet=True, rebuild=phase != "incremental", stages=stages)
        docs = summary.processed
        extra = {"reused": summary.reused, "mentions": summary.mentions}
    elif phase == "peer":
        from pathlib import Path
        from underthesea import word_tokenize
        texts = []
        for path in sorted(Path(corpus).glob("*.jsonl")):
            for line in path.read_text("utf-8").splitlines():
                texts.append(json.loads(line)["text"])
                if len(texts) >= sample:
                    break
            if len(texts) >= sample:
                break
        started = time.perf_counter()
        for text in texts:
            word_tokenize(text)
        docs = len(texts)
    elapsed = time.perf_counter() - started
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(json.dumps({"docs": docs, "seconds": elapsed, "rss_main_mb": own, "rss_worker_mb": children, **extra}))
""")


def _measure(phase: str, corpus: Path, store: Path, workers: int, sample: int) -> dict:
    proc = subprocess.run([sys.executable, "-c", _CHILD, phase, str(corpus), str(store), str(workers), str(sample)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark phase {phase} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


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
                    changed: float = 0.01) -> dict:
    """Time a full build, a rebuild with nothing changed and one with ``changed`` of the texts changed."""
    if not 0 < changed <= 1:
        raise ValueError(f"--changed must be a fraction in (0, 1], not {changed}")
    workers = workers or os.cpu_count() or 1
    base = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="analysis-bench-"))
    corpus, store = base / "corpus", base / "store"
    for old in (corpus, store):
        shutil.rmtree(old, ignore_errors=True)
    t0 = time.perf_counter()
    files, size = generate_corpus(corpus, docs, seed)
    print(f"corpus: {docs} documents, {size / 1e6:.1f} MB in {files} JSONL files, generated in "
          f"{time.perf_counter() - t0:.1f}s; {workers} worker(s), {os.cpu_count()} core(s); stages places, indicators, "
          f"citations", flush=True)
    figures: dict[str, dict] = {}
    for phase, kind in (("full", "build"), ("unchanged", "incremental"), ("changed", "incremental")):
        if phase == "changed":
            count = change_corpus(corpus, changed, seed)
        figures[phase] = _measure(kind, corpus, store, workers, 0)
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
    """Profile ``process_batch`` on the first ``docs`` documents; write pyinstrument's HTML
    report to ``output`` and return its text summary."""
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
    stages = tuple(s for s in STAGES if s != "people")
    process_batch(items[:10], "profile", None, stages)  # load the gazetteer and rules outside the profile
    profiler = Profiler(interval=0.0005)
    profiler.start()
    for start in range(0, len(items), 200):
        process_batch(items[start : start + 200], "profile", None, stages)
    profiler.stop()
    output.write_text(profiler.output_html(), encoding="utf-8")
    return profiler.output_text(unicode=False, color=False)


def run_benchmark(docs: int = 20_000, workers: int | None = None, seed: int = 1, keep: str | None = None,
                  peer_sample: int = 200, repeat: int = 1, profile: str | None = None) -> dict:
    """Generate, measure and print; returns the figures."""
    workers = workers or os.cpu_count() or 1
    base = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="analysis-bench-"))
    corpus, store = base / "corpus", base / "store"
    if corpus.exists():
        shutil.rmtree(corpus)
    t0 = time.perf_counter()
    files, size = generate_corpus(corpus, docs, seed)
    print(f"corpus: {docs} documents, {size / 1e6:.1f} MB in {files} JSONL files "
          f"({size / docs / 1000:.1f} KB/document), generated in {time.perf_counter() - t0:.1f}s; {workers} worker(s), "
          f"{os.cpu_count()} core(s)")
    runs: dict[str, list[dict]] = {"floor": [], "build": []}
    for _ in range(max(1, repeat)):  # alternately, so both sides of build/floor share the machine's mood
        for phase in runs:
            runs[phase].append(_measure(phase, corpus, store, workers, peer_sample))
    results = {phase: min(found, key=lambda r: r["seconds"]) for phase, found in runs.items()}
    if repeat > 1:
        print("runs (seconds): " + "; ".join(f"{p} " + ", ".join(f"{r['seconds']:.1f}" for r in found)
                                           for p, found in runs.items()) + " — the fastest of each is kept")
    for phase in ("people", "peer"):
        results[phase] = _measure(phase, corpus, store, workers, peer_sample)
    figures = {}
    for phase, result in results.items():
        scale = docs / result["docs"] if result["docs"] else 0
        seconds = result["seconds"] * scale  # the peer ran on a subsample
        figures[phase] = {**result, "scaled_seconds": seconds, "docs_per_s": docs / seconds if seconds else 0.0,
                          "mb_per_s": size / 1e6 / seconds if seconds else 0.0}
    print(f"{'phase':<22}{'docs':>9}{'seconds':>10}{'docs/s':>10}{'MB/s':>8}{'RSS main MB':>13}{'RSS worker MB':>15}")
    names = {"floor": "floor (read+NFC)", "build": "build", "people": "people (2nd stage)", "peer": "peer (word_tokenize)"}
    for phase, f in figures.items():
        print(f"{names[phase]:<22}{docs:>9}{f['scaled_seconds']:>10.1f}{f['docs_per_s']:>10.0f}{f['mb_per_s']:>8.2f}"
              f"{f['rss_main_mb']:>13.0f}{f['rss_worker_mb']:>15.0f}")
    build_vs_floor = figures["build"]["scaled_seconds"] / figures["floor"]["scaled_seconds"]
    peer_vs_build = figures["peer"]["scaled_seconds"] / figures["build"]["scaled_seconds"]
    per_core = figures["build"]["docs_per_s"] / workers
    print(f"build/floor {build_vs_floor:.1f}× (target ≤ 25), peer/build {peer_vs_build:.1f}× (target ≥ 50), "
          f"build {per_core:.0f} documents/s per core (target ≥ 1000)")
    if profile:
        text = profile_worker(corpus, Path(profile))
        print(f"profile of the worker on 1 000 documents written to {profile}; its top:")
        print("\n".join(line for line in text.splitlines()[:40] if line.strip()))
    if not keep:
        shutil.rmtree(base, ignore_errors=True)
    print(f"summary: {docs} docs, build {figures['build']['docs_per_s']:.0f} docs/s ({per_core:.0f}/core), "
          f"build/floor {build_vs_floor:.1f}×, peer/build {peer_vs_build:.1f}×, "
          f"peak RSS main {figures['build']['rss_main_mb']:.0f} MB + worker {figures['build']['rss_worker_mb']:.0f} MB")
    return figures
