"""The gazetteer's start-up: read without importing vietnamadminunits, cached, rebuilt when stale or damaged."""
from __future__ import annotations

import dataclasses
import json
import os
import pickle
import subprocess
import sys

import pytest

from analysis import places
from analysis.places import Gazetteer, build_gazetteer, gazetteer_cache_path, locate_text


def _fields(g: Gazetteer) -> dict:
    return {f.name: getattr(g, f.name) for f in dataclasses.fields(g)}


def _fresh_process(cache, code: str) -> str:
    env = {**os.environ, places.CACHE_ENV: str(cache)}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    return proc.stdout


PROBE = """
import json, sys
from analysis.places import gazetteer, locate_text
g = gazetteer()
print(json.dumps({"package_imported": "vietnamadminunits" in sys.modules, "provinces": len(g.provinces),
                  "place": locate_text("Đảng ủy xã Phú Sơn (Chợ Lách) có 11 chi bộ.")["province"]}))
"""


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(places.CACHE_ENV, str(folder))
    places.gazetteer.cache_clear()
    yield folder
    places.gazetteer.cache_clear()


def test_a_fresh_process_reads_the_data_without_importing_the_package_and_caches_it(cache):
    first = json.loads(_fresh_process(cache, PROBE))
    assert first == {"package_imported": False, "provinces": 63, "place": "Bến Tre"}
    assert [p.name for p in cache.iterdir()] == [gazetteer_cache_path().name]
    assert json.loads(_fresh_process(cache, PROBE)) == first  # from the cache


def test_the_cached_gazetteer_is_the_built_one(cache):
    built = build_gazetteer()
    assert not gazetteer_cache_path().exists()
    cached_first = places.gazetteer()  # builds and writes
    places.gazetteer.cache_clear()
    from_file = places.gazetteer()
    assert gazetteer_cache_path().exists() and from_file is not cached_first
    assert _fields(from_file) == _fields(built) == _fields(cached_first)


def test_a_damaged_or_foreign_cache_file_is_rebuilt_and_stale_ones_removed(cache):
    path = gazetteer_cache_path()
    cache.mkdir()
    stale = cache / "gazetteer-0000.pickle"
    stale.write_bytes(b"old")
    whole = pickle.dumps(build_gazetteer())
    for damaged in (whole[: len(whole) // 2], pickle.dumps({"not": "a gazetteer"})):  # cut short; another object
        path.write_bytes(damaged)
        places.gazetteer.cache_clear()
        assert len(places.gazetteer().provinces) == 63
        assert locate_text("Tỉnh ủy Long An tổ chức hội nghị.")["province"] == "Long An"
        assert isinstance(places._read_cached(path), Gazetteer)  # rewritten
    assert not stale.exists()


def test_the_cache_key_follows_the_place_rules(cache, monkeypatch):
    before = gazetteer_cache_path()
    real = places.resources.files

    class Edited:
        def __init__(self, inner):
            self.inner = inner

        def joinpath(self, name):
            target = self.inner.joinpath(name)
            if name != places.PLACE_RULES:
                return target
            return type("F", (), {"read_bytes": lambda _self: target.read_bytes() + b"\n# edited\n"})()

    monkeypatch.setattr(places.resources, "files", lambda package: Edited(real(package)))
    assert gazetteer_cache_path() != before


def test_an_unwritable_cache_directory_costs_only_the_rebuild(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv(places.CACHE_ENV, str(blocker / "cache"))
    places.gazetteer.cache_clear()
    try:
        assert len(places.gazetteer().provinces) == 63
    finally:
        places.gazetteer.cache_clear()


def test_the_cache_key_follows_the_match_form_code(cache, monkeypatch, tmp_path):
    before = gazetteer_cache_path()
    edited = tmp_path / "normalize.py"  # a changed match form would change every name key
    edited.write_bytes(open(places.normalize.__file__, "rb").read() + b"\n# edited\n")
    monkeypatch.setattr(places.normalize, "__file__", str(edited))
    assert gazetteer_cache_path() != before
