"""Locales: every reader-facing word of the reports and notebooks, one YAML file per language.

In: ``analysis/locales/<language>.yaml`` — a mapping of sections (``labels``, ``levels``,
``text``, ``portal`` …), each a mapping of key → text; a text may hold ``str.format``
fields (``{n}``). Out: ``text(section, key, language)`` and ``section(name, language)``,
and ``LANGUAGES``, the languages there are files for (Vietnamese first, the default).

Adding a language is adding a file. The files are read safely (``analysis.config``)
once and checked together: each against the schema, and every language against the
default one — the same sections, the same keys, the same ``{fields}`` in each text.
A problem is a ``ConfigError`` naming the file, the section and the key.
"""
from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

from ..config import ConfigError, check, read_yaml

DIRECTORY = Path(__file__).parent
DEFAULT = "vi"

# A locale file: sections of texts (keys are words, values are non-empty strings).
LOCALE_SCHEMA = {
    "type": "object", "minProperties": 1,
    "additionalProperties": {"type": "object", "minProperties": 1,
                             "additionalProperties": {"type": "string", "minLength": 1}},
}

Locale = dict[str, dict[str, str]]


def languages(directory: Path = DIRECTORY) -> tuple[str, ...]:
    """The languages with a file in ``directory``: the default first, then by name."""
    names = sorted(path.stem for path in directory.glob("*.yaml"))
    return tuple(sorted(names, key=lambda name: (name != DEFAULT, name)))


def _fields(text: str) -> set[str]:
    """The ``str.format`` fields of a text ("{n} bài" → {"n"})."""
    try:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
    except ValueError as exc:  # an unmatched "{"
        raise ValueError(f"not a valid text template ({exc})") from None


def load(directory: Path = DIRECTORY) -> dict[str, Locale]:
    """Every language's locale, checked (see the module docstring)."""
    found = languages(directory)
    if not found:
        raise ConfigError(f"{directory}: no locale file (<language>.yaml)")
    locales = {name: check(read_yaml(directory / f"{name}.yaml"), LOCALE_SCHEMA) for name in found}
    reference_name = DEFAULT if DEFAULT in locales else found[0]
    reference = locales[reference_name]
    problems = []
    for name, locale in locales.items():
        where = directory / f"{name}.yaml"
        for section_name, texts in locale.items():
            for key, value in texts.items():
                try:
                    _fields(value)
                except ValueError as exc:
                    problems.append(f"{where}: {section_name}.{key}: {exc}")
        if name == reference_name:
            continue
        for section_name in sorted(set(reference) | set(locale)):
            ours, theirs = locale.get(section_name), reference.get(section_name)
            if ours is None or theirs is None:
                missing_in = where if ours is None else directory / f"{reference_name}.yaml"
                problems.append(f"{missing_in}: section {section_name!r} is missing (the other languages have it)")
                continue
            for key in sorted(set(theirs) - set(ours)):
                problems.append(f"{where}: {section_name}.{key} is missing ({reference_name}.yaml has it)")
            for key in sorted(set(ours) - set(theirs)):
                problems.append(f"{where}: {section_name}.{key} is not in {reference_name}.yaml")
            for key in sorted(set(ours) & set(theirs)):
                try:
                    mine, other = _fields(ours[key]), _fields(theirs[key])
                except ValueError:
                    continue  # reported above
                if mine != other:
                    problems.append(f"{where}: {section_name}.{key} has the fields {sorted(mine)}, "
                                    f"{reference_name}.yaml has {sorted(other)}")
    if problems:
        raise ConfigError("\n".join(problems))
    return locales


@lru_cache(maxsize=1)
def _packaged() -> dict[str, Locale]:
    return load(DIRECTORY)


LANGUAGES = languages()


def locale(language: str = DEFAULT) -> Locale:
    """One language's sections; an unknown language is refused with the known ones."""
    locales = _packaged()
    if language not in locales:
        raise ValueError(f"language {language!r}: not one of {', '.join(locales)} (a language is a file in {DIRECTORY})")
    return locales[language]


def section(name: str, language: str = DEFAULT) -> dict[str, str]:
    """The texts of one section (``section("levels", "en")``)."""
    sections = locale(language)
    if name not in sections:
        raise KeyError(f"locale section {name!r}: not one of {', '.join(sections)}")
    return sections[name]


def text(section_name: str, key: str, language: str = DEFAULT, **fields: object) -> str:
    """One text, its fields filled in when given (``text("text", "duplicates", "vi", n=3)``)."""
    texts = section(section_name, language)
    if key not in texts:
        raise KeyError(f"locale {language}: {section_name}.{key} is not defined")
    return texts[key].format(**fields) if fields else texts[key]
