"""Benchmark, run by hand (not collected by pytest): a corpus of many tiny .txt files.

    python tests/bench_tiny_files.py [--files 100000] [--workers 2] [--stages places] [--keep DIR]

Writes FILES one-sentence articles (1 000 per folder), then times, each as a build in
its own process on the same store: a full build (``--rebuild``),
a rebuild with nothing changed, a second one, and one after 1 % of the files got a new
text. Prints wall-clock seconds (start-up included) and the build's own seconds, and
the load average, which on a shared machine says how much to trust them.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Four words: fewer than the near-duplicate search's shingle, so the full build spends its time on files and
# documents, not on signatures, and the ratio of a rebuild to it is, if anything, too high.
SENTENCE = "Chi bộ {i} họp.\n"


def write_corpus(root: Path, files: int) -> None:
    for i in range(files):
        folder = root / f"d{i // 1000:04d}"
        if i % 1000 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        (folder / f"tin-{i:06d}.txt").write_text(SENTENCE.format(i=i), "utf-8")


def change(root: Path, share: float, seed: int = 1) -> int:
    paths = sorted(root.rglob("*.txt"))
    chosen = random.Random(seed).sample(paths, max(1, round(len(paths) * share)))
    for path in chosen:
        path.write_text(path.read_text("utf-8") + "Đã họp.\n", "utf-8")
    return len(chosen)


_CHILD = """
import sys
from analysis.build import build
summary = build(sys.argv[1], store=sys.argv[2], workers=int(sys.argv[3]), rebuild=sys.argv[4] == "1", quiet=True,
                stages=tuple(sys.argv[5].split(",")))
print(summary.line())
"""


def timed_build(corpus: Path, store: Path, workers: int, stages: str, rebuild: bool = False) -> tuple[float, str]:
    """Wall-clock seconds of one build in its own process (start-up included), and its summary line."""
    command = [sys.executable, "-c", _CHILD, str(corpus), str(store), str(workers), "1" if rebuild else "0", stages]
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=True)
    return time.perf_counter() - started, proc.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", help="folder for the corpus and store (kept)")
    parser.add_argument("--stages", default="places,indicators,citations,people",
                        help="stages of the builds, comma-separated (fewer: a shorter full build; a rebuild with "
                             "nothing changed does no stage's work)")
    args = parser.parse_args()
    base = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="analysis-tiny-"))
    corpus, store = base / "corpus", base / "store"
    for old in (corpus, store):
        shutil.rmtree(old, ignore_errors=True)
    started = time.perf_counter()
    write_corpus(corpus, args.files)
    print(f"{args.files} files written in {time.perf_counter() - started:.1f}s; load {os.getloadavg()[0]:.1f}", flush=True)
    rows = []
    for name in ("full build", "nothing changed", "nothing changed again", "1 % changed"):
        if name == "1 % changed":
            count = change(corpus, 0.01)
            name = f"{count} changed (1 %)"
        wall, line = timed_build(corpus, store, args.workers, args.stages, rebuild=name == "full build")
        inner = float(re.search(r" in ([\d.]+)s", line).group(1))  # type: ignore[union-attr]
        rows.append((name, wall, inner, os.getloadavg()[0]))
        print(f"{name}: {wall:.1f}s wall, {inner:.1f}s in build; {line}", flush=True)
    full = rows[0][1]
    print(f"{'build':<26}{'wall s':>8}{'build s':>9}{'× full':>8}{'load':>6}")
    for name, wall, inner, load in rows:
        print(f"{name:<26}{wall:>8.1f}{inner:>9.1f}{wall / full:>8.2f}{load:>6.1f}")
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
