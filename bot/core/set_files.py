"""Question-set files a recruiter uploads in Slack, and the YAML a set is downloaded as.

An upload is a YAML file in the set format (question_sets/README.md) or a CSV sheet of
questions (the format is in the same README, "Uploading a CSV"). Every problem in it comes
back at once, each with the line it is on (1-based; None for a problem of the whole file)
and where on that line (a YAML field path, or a CSV column), so that a recruiter fixes the
file in one pass. The messages are Msgs: English here, translated by whoever shows them.

Pure: no Slack, no database. The file's bytes come in; a set or the problems go out.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import yaml

from bot.core.question_sets import (
    ID_MAX_LENGTH,
    Msg,
    QuestionSet,
    load_yaml_nodes,
    not_utf8,
    top_level_problem,
    validate_question_set_data,
)

# The largest file taken. The shipped set, with guidance for each of its 34 questions, is
# 32 KB as YAML; 150 questions with 1,400 characters of guidance each make 310 KB.
# An upload is read and parsed before Slack's 3-second answer is due: those 310 KB take
# 0.1 s to parse (libyaml; 0.35 s in pure Python), 0.3 s from submit to answer over HTTP.
MAX_UPLOAD_BYTES = 500_000
YAML_SUFFIXES = (".yaml", ".yml")
CSV_SUFFIXES = (".csv",)
CSV_COLUMNS = ("category", "question", "guidance", "anchors", "purpose")
CSV_REQUIRED = ("category", "question")
ANCHOR_SEPARATOR = "|"
CSV_DELIMITERS = ",;\t"  # Excel in Estonian and Finnish saves CSV with semicolons

Path = tuple[str | int, ...]  # ("categories", 1, "questions", 0, "text")


@dataclass(frozen=True)
class UploadProblem:
    """One problem: its line (None: the whole file), where on it, and what to do."""

    line: int | None
    where: str  # a field path such as categories[0].questions[2].text, or a CSV column
    message: Msg
    column: int | None = None  # where the YAML stops parsing


@dataclass(frozen=True)
class CsvDefaults:
    """What a CSV sheet does not say, in the set's language: the set's id, name and
    description, the rating scale, and a category's purpose when the sheet gives none."""

    set_id: str
    name: str
    language: str
    description: str
    scale: Sequence[Mapping[str, Any]]
    purpose: str


@dataclass(frozen=True)
class ParsedUpload:
    question_set: QuestionSet | None
    problems: list[UploadProblem] = field(default_factory=list)
    kind: str = "yaml"  # or "csv"


def is_csv(file_name: str) -> bool:
    return PurePath(file_name).suffix.lower() in CSV_SUFFIXES


def parse_upload(content: bytes, file_name: str,
                 csv_defaults: CsvDefaults | None = None) -> ParsedUpload:
    """The set in an uploaded file, or every problem with it. A CSV file needs
    `csv_defaults` (`csv_defaults_for` a name and language, from the catalog)."""
    suffix = PurePath(file_name).suffix.lower()
    if suffix not in YAML_SUFFIXES + CSV_SUFFIXES:
        return ParsedUpload(None, [UploadProblem(None, "", Msg(
            "{name!r} is neither YAML nor CSV; upload a .yaml, .yml or .csv file",
            name=file_name))])
    if len(content) > MAX_UPLOAD_BYTES:
        return ParsedUpload(None, [too_big(len(content))])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content[:exc.start].count(b"\n") + 1
        return ParsedUpload(None, [UploadProblem(line, "", not_utf8(exc))])
    if suffix in CSV_SUFFIXES:
        if csv_defaults is None:
            raise ValueError("a CSV file needs csv_defaults")
        return _parse_csv(text, csv_defaults)
    return _parse_yaml(text)


def too_big(size: int) -> UploadProblem:
    return UploadProblem(None, "", Msg(
        "the file is {size} KB; at most {max} KB is taken — split the set in two",
        size=-(-size // 1000), max=MAX_UPLOAD_BYTES // 1000))


# ---------------------------------------------------------------------------- YAML


def _parse_yaml(text: str) -> ParsedUpload:
    data, node, syntax = load_yaml_nodes(text)
    if syntax is not None:
        return ParsedUpload(None, [UploadProblem(syntax.line, "", syntax.message,
                                                 syntax.column)])
    top = top_level_problem(data)
    if top is not None:
        return ParsedUpload(None, [UploadProblem(None if data is None else 1, "", top)])
    question_set, problems = validate_question_set_data(data)
    lines = yaml_lines(node) if node is not None else {}
    return ParsedUpload(question_set, [
        UploadProblem(line_of(lines, parse_path(path)), path, message)
        for path, message in problems])


def yaml_lines(node: yaml.Node) -> dict[Path, int]:
    """The line (1-based) of every field and list item in a YAML document: for a field, the
    line of its key; for an item, the line it starts on."""
    lines: dict[Path, int] = {(): node.start_mark.line + 1}

    def walk(current: yaml.Node, path: Path) -> None:
        if isinstance(current, yaml.MappingNode):
            for key, value in current.value:
                if isinstance(key, yaml.ScalarNode):
                    lines[(*path, key.value)] = key.start_mark.line + 1
                    walk(value, (*path, key.value))
        elif isinstance(current, yaml.SequenceNode):
            for index, item in enumerate(current.value):
                lines[(*path, index)] = item.start_mark.line + 1
                walk(item, (*path, index))

    walk(node, ())
    return lines


def parse_path(path: str) -> Path:
    """'categories[2].questions[4].id' -> ('categories', 2, 'questions', 4, 'id')."""
    parts: list[str | int] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", path):
        parts.append(int(index) if index else name)
    return tuple(parts)


def line_of(lines: Mapping[Path, int], path: Path) -> int | None:
    """The line of the path, or of its nearest enclosing field that is in the file (a
    missing field is reported where its mapping starts)."""
    for end in range(len(path), -1, -1):
        line = lines.get(path[:end])
        if line is not None:
            return line
    return None


# ---------------------------------------------------------------------------- CSV


@dataclass
class _CsvCategory:
    name: str
    line: int
    purpose: str = ""
    purpose_line: int | None = None
    questions: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


_BAD_QUOTES = "\0bad quotes"  # the row where csv gave up

# Where a set field of a CSV upload comes from, for its problems.
_CSV_WHERE = {"text": "question", "guidance": "guidance", "anchors": "anchors",
              "name": "category", "purpose": "purpose", "questions": "question"}


def _parse_csv(text: str, defaults: CsvDefaults) -> ParsedUpload:
    rows = _csv_rows(text)
    problems: list[UploadProblem] = []
    header_at = next((i for i, (_, cells) in enumerate(rows) if any(c.strip() for c in cells)),
                     None)
    if header_at is None:
        return ParsedUpload(None, [UploadProblem(None, "", Msg(
            "the file is empty; the first row names the columns: {columns}",
            columns=", ".join(CSV_COLUMNS)))], "csv")
    header_line, header = rows[header_at]
    columns, header_problems = _csv_header(header_line, header)
    if header_problems:
        return ParsedUpload(None, header_problems, "csv")
    categories = _csv_categories(rows[header_at + 1:], columns, problems)
    if not categories and not problems:
        problems.append(UploadProblem(header_line + 1, "", Msg(
            "there are no questions below the header; write one question per row")))
    if problems:
        return ParsedUpload(None, problems, "csv")
    document, lines = _csv_document(categories, defaults)
    question_set, found = validate_question_set_data(document)
    for path, message in found:
        parsed = parse_path(path)
        where = next((_CSV_WHERE[p] for p in reversed(parsed)
                      if isinstance(p, str) and p in _CSV_WHERE), "")
        if parsed[:1] != ("categories",):
            where = "file name" if parsed[:1] == ("name",) else ""
        problems.append(UploadProblem(line_of(lines, parsed) if parsed[:1] == ("categories",)
                                      else None, where, message))
    return ParsedUpload(question_set, problems, "csv")


def _csv_rows(text: str) -> list[tuple[int, list[str]]]:
    """(the line a row starts on, its cells), in any of the usual delimiters."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    try:
        delimiter = csv.Sniffer().sniff(first, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    # strict: an unclosed quote is an error, not the rest of the file in one cell
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = 1
    try:
        while True:
            start = reader.line_num + 1
            rows.append((start, next(reader)))
    except StopIteration:
        pass
    except csv.Error:
        rows.append((start, [_BAD_QUOTES]))
    return rows


def _csv_header(line: int, header: list[str]) -> tuple[dict[str, int], list[UploadProblem]]:
    columns: dict[str, int] = {}
    problems: list[UploadProblem] = []
    allowed = ", ".join(CSV_COLUMNS)
    for index, cell in enumerate(header):
        name = cell.strip().lower()
        if not name:
            continue
        if name not in CSV_COLUMNS:
            problems.append(UploadProblem(line, "", Msg(
                "{name!r} is not a column of a question sheet; the columns are {columns}",
                name=cell.strip(), columns=allowed), index + 1))
        elif name in columns:
            problems.append(UploadProblem(line, name, Msg(
                "the column {name!r} is there twice; keep one", name=name)))
        else:
            columns[name] = index
    for name in CSV_REQUIRED:
        if name not in columns and not problems:
            problems.append(UploadProblem(line, "", Msg(
                "the first row has no {name!r} column; it names the columns: {columns} "
                "(guidance, anchors and purpose may be left out)", name=name,
                columns=allowed)))
    return columns, problems


def _csv_categories(rows: list[tuple[int, list[str]]], columns: dict[str, int],
                    problems: list[UploadProblem]) -> list[_CsvCategory]:
    by_name: dict[str, _CsvCategory] = {}
    current: _CsvCategory | None = None
    width = max(columns.values()) + 1
    for line, cells in rows:
        if cells == [_BAD_QUOTES]:
            problems.append(UploadProblem(line, "", Msg(
                "a quoted cell starts here and does not end well: close its quote (\"), "
                "and write a quote inside a quoted cell twice (\"\")")))
            break
        if not any(cell.strip() for cell in cells):
            continue
        if any(cell.strip() for cell in cells[width:]):
            problems.append(UploadProblem(line, "", Msg(
                "the row has more cells than the header has columns; put text that contains "
                "the separator in double quotes")))
            continue

        def cell(name: str, cells: list[str] = cells) -> str:
            index = columns.get(name)
            return cells[index].strip() if index is not None and index < len(cells) else ""

        name = cell("category")
        if name:
            current = by_name.setdefault(name.casefold(), _CsvCategory(name, line))
        if current is None:
            problems.append(UploadProblem(line, "category", Msg(
                "the first question has no category; write the category's name in the "
                "category column")))
            continue
        _csv_purpose(current, cell("purpose"), line, problems)
        question = cell("question")
        if not question:
            if cell("guidance") or cell("anchors"):
                problems.append(UploadProblem(line, "question", Msg(
                    "the row has no question; write it in the question column, or delete "
                    "the row")))
            continue
        item: dict[str, Any] = {"text": question}
        if cell("guidance"):
            item["guidance"] = cell("guidance")
        if cell("anchors"):
            item["anchors"] = [a.strip() for a in cell("anchors").split(ANCHOR_SEPARATOR)]
        current.questions.append((line, item))
    return [c for c in by_name.values() if c.questions or c.purpose]


def _csv_purpose(category: _CsvCategory, purpose: str, line: int,
                 problems: list[UploadProblem]) -> None:
    if not purpose:
        return
    if not category.purpose:
        category.purpose, category.purpose_line = purpose, line
    elif purpose != category.purpose:
        problems.append(UploadProblem(line, "purpose", Msg(
            "the category {name!r} has a different purpose on line {other}; give its purpose "
            "once", name=category.name, other=category.purpose_line)))


def _csv_document(categories: list[_CsvCategory], defaults: CsvDefaults
                  ) -> tuple[dict[str, Any], dict[Path, int]]:
    lines: dict[Path, int] = {}
    category_ids: set[str] = set()
    question_ids: set[str] = set()
    documents = []
    for index, category in enumerate(categories):
        lines[("categories", index)] = category.line
        if category.purpose_line is not None:
            lines[("categories", index, "purpose")] = category.purpose_line
        questions = []
        for number, (line, item) in enumerate(category.questions):
            lines[("categories", index, "questions", number)] = line
            questions.append({"id": unique_slug(item["text"], question_ids, f"q{line}"),
                              **item})
        documents.append({"id": unique_slug(category.name, category_ids, f"c{index + 1}"),
                          "name": category.name,
                          "purpose": category.purpose or defaults.purpose,
                          "questions": questions})
    document = {"id": defaults.set_id, "name": defaults.name, "language": defaults.language,
                "description": defaults.description, "scale": [dict(p) for p in defaults.scale],
                "categories": documents}
    return document, lines


def slug(text: str, max_length: int = ID_MAX_LENGTH) -> str:
    """An id from a text: 'Kas peate end …?' -> 'kas-peate-end'; letters without their
    accents, at most `max_length` characters, cut between words."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", folded.lower())
    result = ""
    for word in words:
        longer = f"{result}-{word}" if result else word
        if len(longer) > max_length:
            break
        result = longer
    return result or (words[0][:max_length] if words else "")


def unique_slug(text: str, taken: set[str], fallback: str) -> str:
    """slug(text), or fallback when it has no letters, with -2, -3 ... until unused."""
    base = slug(text, ID_MAX_LENGTH - 4) or fallback
    found, number = base, 1
    while found in taken:
        number += 1
        found = f"{base}-{number}"
    taken.add(found)
    return found


# ---------------------------------------------------------------------------- YAML out


class _Dumper(yaml.SafeDumper):
    """Multi-line text as `|` blocks, as a person writes it."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def set_yaml(question_set: QuestionSet) -> str:
    """The set as a YAML file in the set format, defaults left out; it parses back to the
    same set (named `{id}.{language}.yaml`)."""
    document = question_set.model_dump(mode="json", exclude_defaults=True)
    return yaml.dump(document, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     width=100, default_flow_style=False)


def set_file_name(question_set: QuestionSet) -> str:
    return f"{question_set.id}.{question_set.language}.yaml"
