"""Configuration files: YAML read safely, then checked against a schema.

In: a YAML file (``chrome.yaml``, ``people.yaml``, ``indicators.yaml``,
``reports/reports.yml``) or its text, and a JSON Schema (draft 7; the
``*_SCHEMA`` constants below, checked with fastjsonschema, which compiles a
schema to a function — jsonschema takes seconds to import, in every worker). Out: the parsed data — only JSON values (strings, numbers,
booleans, null, lists, mappings with string keys) — or a ``ConfigError`` whose
message names the file, the key path and the line of every problem.

Safe reading means bounded work for any input: the file must be a regular file
of at most ``MAX_BYTES``; with its aliases (``*name``) written out, a file holds
at most ``MAX_VALUES`` values (a 516-byte "billion laughs" file would hold 10⁹)
nested at most ``MAX_DEPTH`` deep, counted without writing them out; tags that
make non-JSON values (``!!binary``, ``!!timestamp``, ``!!set`` …) are refused where
they occur. As in YAML 1.2, an unquoted date (``2023-01-01``) is the string
written, never a date object.
"""
from __future__ import annotations

import json
import math
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 1_000_000
MAX_DEPTH = 40
MAX_VALUES = 100_000  # values after aliases are written out
MAX_ERRORS = 8

_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_NON_JSON_TAGS = (_TIMESTAMP, "tag:yaml.org,2002:binary", "tag:yaml.org,2002:set", "tag:yaml.org,2002:omap",
                  "tag:yaml.org,2002:pairs")


class ConfigError(ValueError):
    """A configuration file is unreadable or invalid; the message says where."""


@dataclass(frozen=True)
class _Refused:
    """A value whose YAML tag makes no JSON value; ``check`` reports it with its place."""

    tag: str


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader without implicit dates, with bounded nesting."""

    yaml_implicit_resolvers = {first: [(tag, regexp) for tag, regexp in resolvers if tag != _TIMESTAMP]
                               for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        # PyYAML composes recursively: bound the nesting before Python's stack is.
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise yaml.MarkedYAMLError(None, None, f"nested more than {MAX_DEPTH} levels deep",
                                           self.peek_event().start_mark)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _expanded(node: yaml.Node, memo: dict[int, tuple[int, int]], open_nodes: set[int]) -> tuple[int, int]:
    """(values, depth) of a node with every alias written out, counted once per node (so in linear time)."""
    if id(node) in memo:
        return memo[id(node)]
    if id(node) in open_nodes:
        raise yaml.MarkedYAMLError(None, None, "an alias refers to the value that contains it", node.start_mark)
    open_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        children = [child for pair in node.value for child in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    else:
        children = []
    values, depth = 1, 1
    for child in children:
        child_values, child_depth = _expanded(child, memo, open_nodes)
        values, depth = values + child_values, max(depth, child_depth + 1)
        if values > MAX_VALUES or depth > MAX_DEPTH:
            raise yaml.MarkedYAMLError(None, None, f"with its aliases written out, this holds more than {MAX_VALUES} "
                                       f"values or is nested more than {MAX_DEPTH} levels deep", node.start_mark)
    open_nodes.discard(id(node))
    memo[id(node)] = (values, depth)
    return values, depth


for _tag in _NON_JSON_TAGS:
    _Loader.add_constructor(_tag, lambda loader, node: _Refused(node.tag.rsplit(":", 1)[-1]))


@dataclass
class Document:
    """A parsed configuration file: its data, the line of every key path, and the values it may not hold.

    ``problems`` (duplicate keys, refused tags, non-text keys) are reported by ``check`` of
    the part that holds them, so that a bad entry fails alone when entries are checked one by one.
    """

    data: Any
    source: str
    lines: dict[tuple, int] = field(default_factory=dict)
    problems: list[tuple[tuple, str]] = field(default_factory=list)

    def where(self, path: tuple | list = ()) -> str:
        """``file: key.path (line N)`` for a path of keys and list indexes (the nearest known line)."""
        path = tuple(path)
        shown = "".join(f"[{p}]" if isinstance(p, int) else (f".{p}" if i else str(p)) for i, p in enumerate(path))
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                line = self.lines[path[:end]]
                break
        else:
            line = 0
        return f"{self.source}: {shown or '(top level)'}" + (f" (line {line})" if line else "")


def _record_lines(node: yaml.Node | None, path: tuple, document: Document) -> None:
    """Fill in the line of every key path; note duplicate keys (YAML would keep only the last)."""
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            name, line = key.value, key.start_mark.line + 1
            if not isinstance(name, str):  # a complex key (``? [a, b]``): refused later as a non-text key
                continue
            if name in seen:
                document.problems.append((path + (name,), f"duplicate key (first on line {seen[name]})"))
            seen[name] = line
            document.lines[path + (name,)] = line
            _record_lines(value, path + (name,), document)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            document.lines[path + (index,)] = item.start_mark.line + 1
            _record_lines(item, path + (index,), document)


def _json_problems(value: Any, path: tuple) -> list[tuple[tuple, str]]:
    """Places where the data holds something JSON cannot: refused tags, non-string keys, NaN/infinity."""
    if isinstance(value, _Refused):
        return [(path, f"a !!{value.tag} value is not allowed here (only text, numbers, true/false, null, lists and mappings)")]
    if isinstance(value, float) and not math.isfinite(value):
        return [(path, f"{value} is not a number a configuration can hold")]
    problems = []
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                problems.append((path + (key,), f"the key {key!r} is not text: quote it"))
            problems += _json_problems(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            problems += _json_problems(item, path + (index,))
    return problems


def parse_yaml(text: str, source: str = "<config>") -> Document:
    """Parse YAML text safely (see the module docstring); ``check`` validates it."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ConfigError(f"{source}: larger than {MAX_BYTES} bytes; a configuration file is much smaller")
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is not None:
            _expanded(node, {}, set())
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f" (line {mark.line + 1}, column {mark.column + 1})" if mark else ""
        raise ConfigError(f"{source}{line}: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{source}: not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    document = Document(data, source)
    _record_lines(node, (), document)
    document.problems += _json_problems(data, ())
    return document


def read_yaml(path: str | Path) -> Document:
    """Read and parse a YAML file safely: a regular file, at most ``MAX_BYTES``, UTF-8."""
    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise ConfigError(f"{path}: not a regular file")
        if info.st_size > MAX_BYTES:
            raise ConfigError(f"{path}: {info.st_size} bytes, larger than {MAX_BYTES}; a configuration file is much smaller")
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    return parse_yaml(text, str(path))


def check(document: Document, schema: dict, at: tuple = (), apart: tuple = ()) -> Any:
    """Validate ``document`` (or its part at the key path ``at``) against a JSON Schema; return that data.

    Values the document may not hold (see ``Document``) inside that part are reported
    first, all of them, except inside the entries of the list at ``apart`` (checked one
    by one elsewhere); then the first schema error, with its place.
    """
    import fastjsonschema

    data = document.data
    for key in at:
        data = data[key]

    def ours(path: tuple) -> bool:
        return path[:len(at)] == at and not (apart and path[:len(apart)] == apart and len(path) > len(apart))

    problems = sorted(((path, message) for path, message in document.problems if ours(path)),
                      key=lambda item: [str(p) for p in item[0]])
    if problems:
        raise ConfigError(_joined([f"{document.where(path)}: {message}" for path, message in problems]))
    try:
        _validator(json.dumps(schema, sort_keys=True))(data)
    except fastjsonschema.JsonSchemaValueException as error:
        path, message = _explained(error)
        raise ConfigError(f"{document.where(at + _indexed(data, path))}: {message}") from None
    return data


def _indexed(data: Any, path: tuple) -> tuple:
    """A fastjsonschema path with list positions as numbers ("0" → 0), as in ``Document.lines``."""
    indexed = []
    for step in path:
        if isinstance(data, list) and str(step).isdigit():
            step = int(step)
            data = data[step] if step < len(data) else None
        else:
            data = data.get(step) if isinstance(data, dict) else None
        indexed.append(step)
    return tuple(indexed)


@lru_cache(maxsize=32)
def _validator(schema: str):
    """A schema compiled to a Python function (fastjsonschema), by the schema's JSON text."""
    import fastjsonschema

    return fastjsonschema.compile(json.loads(schema))


def rules_file(name: str) -> Path:
    """The packaged rules file ``name`` (``analysis/rules/NAME``) as a path."""
    from importlib import resources

    return Path(str(resources.files("analysis.rules").joinpath(name)))


def load_config(path: str | Path, schema: dict) -> Any:
    """Read a YAML file safely and validate it; return its data."""
    return check(read_yaml(path), schema)


def load_config_text(text: str, schema: dict, source: str = "<config>") -> Any:
    """Parse YAML text safely and validate it; return its data."""
    return check(parse_yaml(text, source), schema)


def _explained(error) -> tuple[tuple, str]:
    """The key path of a schema error and what is wrong there, in words."""
    path = tuple(error.path[1:])  # fastjsonschema names the top "data"
    value, definition = error.value, error.definition or {}
    if error.rule == "additionalProperties" and isinstance(value, dict):
        known = sorted(definition.get("properties", {}))
        unknown = sorted(k for k in value if k not in known)
        return path + tuple(unknown[:1]), f"unknown key(s) {', '.join(map(repr, unknown))}; known: {', '.join(known)}"
    if error.rule == "required" and isinstance(value, dict):
        missing = [k for k in definition.get("required", []) if k not in value]
        return path, f"{', '.join(map(repr, missing))} {'is' if len(missing) == 1 else 'are'} missing"
    if error.rule == "pattern" and definition.get("pattern") == REPORT_NAME:
        return path, f"{value!r} is not a report name: letters, digits, '-' and '_' (it names a folder, never a path)"
    shown = repr(value)
    shown = shown if len(shown) < 80 else shown[:80] + " …"
    return path, f"{shown}: {error.message.split(' ', 1)[1] if ' ' in error.message else error.message}"


def _joined(problems: list[str]) -> str:
    more = len(problems) - MAX_ERRORS
    return "\n".join(problems[:MAX_ERRORS] + ([f"… and {more} more"] if more > 0 else []))


# Schemas. "phrases": a list of non-empty strings.
_PHRASES = {"type": "array", "items": {"type": "string", "minLength": 1}}
_STRICT = {"type": "object", "additionalProperties": False}

CHROME_SCHEMA = {**_STRICT, "required": ["footer_markers", "chrome_lines", "contact_phrases"],
                 "properties": {"footer_markers": _PHRASES, "chrome_lines": _PHRASES, "contact_phrases": _PHRASES}}

ORGANIZATIONS_SCHEMA = {**_STRICT, "required": ["name_compounds"], "properties": {"name_compounds": _PHRASES}}

PEOPLE_SCHEMA = {**_STRICT, "required": ["honorifics", "title_words", "family_names"],
                 "properties": {"honorifics": _PHRASES, "title_words": _PHRASES, "family_names": _PHRASES}}

# indicators.yaml: the top level only; analysis/extract/rules.py checks each section's entries.
_ENTRIES = {"type": "array", "items": {"type": "object"}}
INDICATORS_SCHEMA = {
    **_STRICT, "required": ["units", "indicators"],
    "properties": {
        "version": {"type": "integer"},
        "units": {"type": "object", "minProperties": 1, "additionalProperties": _PHRASES},
        "linkers": _PHRASES, "breakdown": _PHRASES, "passive": _PHRASES, "comrade_requires": _PHRASES,
        "fixed_phrases": _PHRASES, "ratio_total_is_target": _PHRASES,
        "unit_splits": {"type": "object", "additionalProperties": _PHRASES},
        "max_link_words": {"type": "integer", "minimum": 0},
        "unit_flags": {"type": "object", "additionalProperties": {"type": "string"}},
        "flags": _ENTRIES, "roles": _ENTRIES, "implied_units": _ENTRIES,
        "indicators": {"type": "object", "minProperties": 1, "additionalProperties": {"type": "object"}},
        "references": {"type": "object"},
    },
}

# A report name is a folder under the reports folder: a slug, never a path.
REPORT_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$"
_PARAMETERS = {"type": "object", "propertyNames": {"pattern": r"^[A-Za-z_][A-Za-z0-9_]*$"},
               "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}
_TIMEOUT = {"type": "number", "exclusiveMinimum": 0}
_KEEP_RUNS = {"type": "integer", "minimum": 1}  # run folders kept per report
REPORT_SCHEMA = {
    **_STRICT, "required": ["name"],
    "properties": {"name": {"type": "string", "pattern": REPORT_NAME}, "notebook": {"type": "string", "minLength": 1},
                   "for_each": {"enum": ["province"]}, "parameters": _PARAMETERS, "timeout": _TIMEOUT,
                   "keep_runs": _KEEP_RUNS},
}
REPORTS_SCHEMA = {
    **_STRICT, "required": ["reports"],
    "properties": {
        "defaults": {**_STRICT, "properties": {"notebook": {"type": "string", "minLength": 1}, "parameters": _PARAMETERS,
                                               "timeout": _TIMEOUT, "keep_runs": _KEEP_RUNS}},
        # Each entry is checked on its own (REPORT_SCHEMA), so that one bad report does not stop the others.
        "reports": {"type": "array"},
    },
}
