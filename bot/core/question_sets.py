"""Question sets: the YAML format, its validation, and the library of loaded sets.

A question set is one YAML file per set and language (``{id}.{language}.yaml``). Sets ship in
the ``question_sets`` package; teams add or override sets with extra directories
(``QUESTION_SETS_DIR``). Validation collects every problem in a file at once, each as
``FILE: field.path: what is wrong and how to fix it``, so an author fixes a file in one pass.

Two layers check a file:
- the pydantic models: shape, types, required and unknown fields, text lengths, id syntax;
- ``_cross_field_problems``: counts, the scale's values, Slack's composed-text limits, unique
  ids, a question's own anchors against the set's scale, competencies declared and used,
  the supported languages and the file name. These are app policy, so they run when a
  file is parsed but not in ``QuestionSet.from_snapshot``: a frozen copy stored on an
  interview must keep loading even if a later release tightens a limit or drops a language.
"""

from __future__ import annotations

import difflib
import importlib.resources
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, Protocol, TextIO

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

logger = logging.getLogger(__name__)

SUPPORTED_LANGUAGES = ("en", "et", "fi")

# Format limits (see question_sets/README.md).
ID_MAX_LENGTH = 40
NAME_MAX_LENGTH = 60
DESCRIPTION_MAX_LENGTH = 500
SCALE_LABEL_MAX_LENGTH = 25
PURPOSE_MAX_LENGTH = 1000
QUESTION_TEXT_MAX_LENGTH = 500
GUIDANCE_MAX_LENGTH = 1500
PROBE_MAX_LENGTH = 300
PROBES_MAX = 5
COMPETENCIES_MAX = 10
SCALE_MIN_POINTS, SCALE_MAX_POINTS = 2, 10
CATEGORIES_MIN, CATEGORIES_MAX = 1, 10
QUESTIONS_PER_CATEGORY_MIN, QUESTIONS_PER_CATEGORY_MAX = 1, 40
QUESTIONS_PER_SET_MAX = 150
CATEGORY_WEIGHT_MAX = 10  # a category's weight in the mechanical recommendation

# Slack caps the text of a select option at 75 characters. These strings become options:
SLACK_OPTION_TEXT_MAX_LENGTH = 75
SCALE_OPTION_TEXT_MAX_LENGTH = SLACK_OPTION_TEXT_MAX_LENGTH  # f"{value} · {label}: {anchor}"
RECOMMENDATION_LABEL_MAX_LENGTH = SLACK_OPTION_TEXT_MAX_LENGTH
SET_OPTION_TEXT_MAX_LENGTH = SLACK_OPTION_TEXT_MAX_LENGTH  # f"{name} ({language})"

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
YAML_SUFFIXES = (".yaml", ".yml")

DEFAULT_RECOMMENDATION_LABELS = {
    "strong_no_hire": "Strong no hire",
    "no_hire": "No hire",
    "hire": "Hire",
    "strong_hire": "Strong hire",
}

Slug = Annotated[str, Field(max_length=ID_MAX_LENGTH, pattern=SLUG_PATTERN)]
# Where a question's guidance comes from: the source the set's description names
# ("article"), or the set author's own judgement ("project").
Source = Literal["article", "project"]
SOURCES: tuple[str, ...] = ("article", "project")


def _text(max_length: int) -> Any:
    return Field(min_length=1, max_length=max_length)


class _Model(BaseModel):
    # strict: YAML turns `yes`/`no` into booleans and `1.0` into a float; say so instead of
    # silently coercing. Strings are stripped so block scalars (`|`) lose the final newline.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, str_strip_whitespace=True)


# ---------------------------------------------------------------------------- models


class ScalePoint(_Model):
    value: int
    label: str = _text(SCALE_LABEL_MAX_LENGTH)
    anchor: str = Field(min_length=1)  # bounded by the composed option text, see checks

    def option_text(self) -> str:
        return scale_option_text(self.value, self.label, self.anchor)


def scale_option_text(value: object, label: str, anchor: str) -> str:
    """The scorecard select option for one scale point."""
    return f"{value} · {label}: {anchor}"


class RecommendationLabels(_Model):
    RECOMMENDATION_KEYS: ClassVar[tuple[str, ...]] = (
        "strong_no_hire",
        "no_hire",
        "hire",
        "strong_hire",
    )  # ordered, low to high

    # All four are required when the block is given: a half-translated block would mix
    # languages in one modal.
    strong_no_hire: str = _text(RECOMMENDATION_LABEL_MAX_LENGTH)
    no_hire: str = _text(RECOMMENDATION_LABEL_MAX_LENGTH)
    hire: str = _text(RECOMMENDATION_LABEL_MAX_LENGTH)
    strong_hire: str = _text(RECOMMENDATION_LABEL_MAX_LENGTH)

    def label(self, key: str) -> str:
        if key not in self.RECOMMENDATION_KEYS:
            raise KeyError(key)
        return str(getattr(self, key))


RECOMMENDATION_KEYS = RecommendationLabels.RECOMMENDATION_KEYS


class Competency(_Model):
    """What a question gives evidence of (e.g. active listening); questions name one by id,
    so ratings can be summed up by competency as well as by category."""

    id: Slug
    name: str = _text(NAME_MAX_LENGTH)
    source: Source | None = None


class Question(_Model):
    id: Slug
    text: str = _text(QUESTION_TEXT_MAX_LENGTH)
    guidance: str | None = Field(default=None, max_length=GUIDANCE_MAX_LENGTH)
    guidance_source: Source | None = None
    probes: list[Annotated[str, _text(PROBE_MAX_LENGTH)]] = Field(default_factory=list)
    # One per point of the set's scale, in order, replacing the scale's anchors for this
    # question; None: the set's scale. Bounded by the composed option text, see checks.
    anchors: list[Annotated[str, Field(min_length=1)]] | None = None
    competency: Slug | None = None
    spare: bool = False  # asked if time allows; setup offers core questions first

    @field_validator("guidance")
    @classmethod
    def _empty_guidance_is_none(cls, value: str | None) -> str | None:
        return value or None


class Category(_Model):
    id: Slug
    name: str = _text(NAME_MAX_LENGTH)
    purpose: str = _text(PURPOSE_MAX_LENGTH)
    questions: list[Question]
    # How much the category's panel mean counts in the mechanical recommendation
    # (bot/core/consensus.py), relative to the others; 0 leaves it out.
    weight: float = Field(default=1.0, ge=0, le=CATEGORY_WEIGHT_MAX)


class QuestionSet(_Model):
    id: Slug
    name: str = _text(NAME_MAX_LENGTH)
    language: str = Field(min_length=1)
    description: str = _text(DESCRIPTION_MAX_LENGTH)
    scale: list[ScalePoint]
    recommendation: RecommendationLabels = Field(
        default_factory=lambda: RecommendationLabels(**DEFAULT_RECOMMENDATION_LABELS)
    )
    competencies: list[Competency] = Field(default_factory=list)
    categories: list[Category]
    # A rating at either end of the scale needs a note in its category's notes: the
    # evidence the debrief quotes where the panel is split.
    extreme_ratings_need_note: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return (self.id, self.language)

    @property
    def scale_min(self) -> int:
        return min(point.value for point in self.scale)

    @property
    def scale_max(self) -> int:
        return max(point.value for point in self.scale)

    @property
    def midpoint(self) -> float:
        return (self.scale_min + self.scale_max) / 2

    @property
    def question_count(self) -> int:
        return sum(len(category.questions) for category in self.categories)

    def category(self, category_id: str) -> Category:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    def question(self, question_id: str) -> tuple[Category, Question]:
        for category in self.categories:
            for question in category.questions:
                if question.id == question_id:
                    return category, question
        raise KeyError(question_id)

    def is_extreme(self, score: int) -> bool:
        """A rating at either end of the scale (1 or 5 on 1-5)."""
        return score in (self.scale_min, self.scale_max)

    @property
    def weights(self) -> dict[str, float]:
        """Each category's weight in the mechanical recommendation, by id."""
        return {category.id: category.weight for category in self.categories}

    def scale_point(self, value: int) -> ScalePoint:
        for point in self.scale:
            if point.value == value:
                return point
        raise KeyError(value)

    def has_own_scale(self, question: Question) -> bool:
        """Whether the question has anchors of its own, one per point of the scale (a set
        that parsed has exactly that; a frozen copy is loaded without the check)."""
        return question.anchors is not None and len(question.anchors) == len(self.scale)

    def question_scale(self, question: Question) -> list[ScalePoint]:
        """The scale a question is rated on: the set's points, with the question's own
        anchors where it has them."""
        if not self.has_own_scale(question) or question.anchors is None:
            return list(self.scale)
        return [
            ScalePoint(value=point.value, label=point.label, anchor=anchor)
            for point, anchor in zip(self.scale, question.anchors, strict=True)
        ]

    def competency(self, competency_id: str) -> Competency:
        for competency in self.competencies:
            if competency.id == competency_id:
                return competency
        raise KeyError(competency_id)

    def to_snapshot(self) -> dict[str, Any]:
        """The JSON-able frozen copy an interview keeps (models/question_set.py)."""
        return self.model_dump(mode="json")

    @classmethod
    def from_snapshot(cls, data: dict[str, Any]) -> QuestionSet:
        # Shape only, no policy checks: see the module docstring.
        return cls.model_validate(data)


class Translates(Protocol):
    """What Msg.render needs of bot.i18n's Translator (the core imports no catalog)."""

    def _(self, message: str, /, **values: Any) -> str: ...

    def ngettext(self, singular: str, plural: str, n: int, /, **values: Any) -> str: ...


class Msg(str):
    """A problem's message: the English text (it is a str, so the command line and the logs
    use it as is), with the catalog template and values it was made from, so that Slack can
    show it in the workspace's language (``render``). Values that are Msgs themselves are
    translated too. Babel extracts ``Msg("...")`` (see bot/catalogs.py) and
    ``Msg.ngettext("...", "...", n)``."""

    template: str
    plural: str | None
    number: int | None  # n of a plural message
    values: dict[str, Any]

    def __new__(cls, template: str, /, **values: Any) -> Msg:
        return cls._made(template, None, None, values)

    @classmethod
    def ngettext(cls, singular: str, plural: str, n: int, /, **values: Any) -> Msg:
        return cls._made(singular, plural, n, values)

    @classmethod
    def _made(cls, template: str, plural: str | None, number: int | None,
              values: dict[str, Any]) -> Msg:
        chosen = template if plural is None or number == 1 else plural
        params = values if number is None else {"n": number, **values}
        made = super().__new__(cls, chosen.format(**params))
        made.template, made.plural, made.number, made.values = template, plural, number, values
        return made

    def render(self, t: Translates) -> str:
        values = {key: value.render(t) if isinstance(value, Msg) else value
                  for key, value in self.values.items()}
        if self.plural is None or self.number is None:
            return t._(self.template, **values)
        return t.ngettext(self.template, self.plural, self.number, **values)


class QuestionSetError(Exception):
    """A question-set file has problems; ``problems`` lists every one of them."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


# ---------------------------------------------------------------------------- parsing


def parse_question_set(text: str, source: str) -> QuestionSet:
    """Parse and validate one set. ``source`` is its file name (a path is fine): messages
    start with it, and it must be ``{id}.{language}.yaml`` so the library key is predictable.
    Raises QuestionSetError with ALL the problems found."""
    file_name = Path(source).name
    data, syntax = _load_yaml(text)
    yaml_problem = syntax.located() if syntax is not None else top_level_problem(data)
    if yaml_problem is not None:
        raise QuestionSetError([f"{file_name}: {yaml_problem}"])
    question_set, problems = validate_question_set_data(data, file_name)
    if problems:
        lines = [f"{file_name}: {path}: {message}" for path, message in problems]
        raise QuestionSetError(list(dict.fromkeys(lines)))  # drop exact duplicates
    assert question_set is not None
    return question_set


def validate_question_set_data(data: dict[str, Any], file_name: str | None = None
                               ) -> tuple[QuestionSet | None, list[Problem]]:
    """The set, or every problem with the data of a set (a mapping, as YAML gives it) as
    (field path, message), without duplicates. ``file_name``: also check that the file is
    named after the set's id and language (a set that is not a file has no name to check)."""
    question_set: QuestionSet | None = None
    problems: list[Problem] = []
    try:
        question_set = QuestionSet.model_validate(data)
    except ValidationError as exc:
        problems.extend(_translate_pydantic_error(error) for error in exc.errors())
    problems.extend(_cross_field_problems(data, file_name))
    unique = list(dict.fromkeys(problems))
    return (question_set if not unique else None), unique


def load_question_set_file(path: Path) -> QuestionSet:
    path = Path(path)
    try:
        # utf-8-sig: tolerate the byte-order mark some Windows editors write.
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise QuestionSetError([f"{path.name}: {not_utf8(exc)}"]) from exc
    except OSError as exc:
        raise QuestionSetError([f"{path.name}: cannot read the file: {exc.strerror}"]) from exc
    return parse_question_set(text, path.name)


def not_utf8(exc: UnicodeDecodeError) -> Msg:
    return Msg("byte {n} is not UTF-8 text; save the file as UTF-8", n=exc.start + 1)


def _check_unique_keys(node: yaml.MappingNode) -> None:
    """A key repeated in a mapping is an error: PyYAML would silently keep the last one,
    which for a repeated `questions:` would drop questions without a word."""
    seen: set[str] = set()
    for key_node, _ in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
            continue  # complex keys and merge keys (<<) are left to PyYAML
        if key_node.value in seen:
            raise yaml.constructor.ConstructorError(
                None, None, f"found duplicate key {key_node.value!r}", key_node.start_mark
            )
        seen.add(key_node.value)


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys. Pure Python: its messages name the character
    at fault (libyaml's do not), so problems are reported from this one."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        _check_unique_keys(node)
        return super().construct_mapping(node, deep=deep)


class _FastUniqueKeyLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same on libyaml where PyYAML has it: about ten times faster, which matters for an
    upload read before Slack's 3-second answer."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        _check_unique_keys(node)
        return super().construct_mapping(node, deep=deep)


@dataclass(frozen=True)
class YamlSyntaxProblem:
    """Where the YAML stops parsing (1-based; None when PyYAML gives no place) and why, in
    PyYAML's words with our hint for the fix."""

    line: int | None
    column: int | None
    message: Msg

    def located(self) -> Msg:
        if self.line is None:
            return self.message
        return Msg("line {line}, column {column}: {problem}", line=self.line,
                   column=self.column, problem=self.message)


def load_yaml_nodes(text: str) -> tuple[Any, yaml.Node | None, YamlSyntaxProblem | None]:
    """(data, the node tree it was built from, None), or (None, None, the problem). The nodes
    know each value's line (`yaml_lines`). A file that does not parse is read again by the
    pure-Python loader, whose messages say more."""
    fast = _FastUniqueKeyLoader(text)  # a SafeLoader: no object tags
    try:
        node = fast.get_single_node()
        return (fast.construct_document(node) if node is not None else None), node, None
    except yaml.YAMLError:
        pass
    finally:
        fast.dispose()
    loader = _UniqueKeyLoader(text)
    try:
        node = loader.get_single_node()
        return (loader.construct_document(node) if node is not None else None), node, None
    except yaml.MarkedYAMLError as exc:
        return None, None, _yaml_problem(exc)
    except yaml.YAMLError as exc:
        return None, None, YamlSyntaxProblem(None, None, Msg("not valid YAML: {error}",
                                                             error=str(exc)))
    finally:
        loader.dispose()


def _load_yaml(text: str) -> tuple[Any, YamlSyntaxProblem | None]:
    data, _, problem = load_yaml_nodes(text)
    return data, problem


def _yaml_problem(exc: yaml.MarkedYAMLError) -> YamlSyntaxProblem:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or exc.context or "not valid YAML"
    message = Msg("{problem}{hint}", problem=problem, hint=_yaml_hint(problem))
    if exc.context and exc.context_mark and exc.problem:
        # e.g. where an unclosed quote started, which is where the fix goes
        context_mark = exc.context_mark
        message = Msg("{problem} ({context} at line {line}, column {column}){hint}",
                      problem=problem, context=exc.context, line=context_mark.line + 1,
                      column=context_mark.column + 1, hint=_yaml_hint(problem))
    if mark is None:
        return YamlSyntaxProblem(None, None, message)
    return YamlSyntaxProblem(mark.line + 1, mark.column + 1, message)


def _yaml_hint(message: str) -> Msg | str:
    if "'\\t'" in message:
        return Msg("; indent with spaces, not tabs")
    if "duplicate key" in message:
        return Msg("; each key may appear only once in a mapping")
    if "mapping values are not allowed" in message:
        return Msg("; put text that contains ': ' in quotes")
    return ""


def top_level_problem(data: Any) -> Msg | None:
    if data is None:
        return Msg("the file is empty; a question set needs id, name, language, description, "
                   "scale and categories")
    if not isinstance(data, dict):
        return Msg("the top level must be a mapping of fields (id: ..., name: ...), not {kind}",
                   kind=_kind(data))
    return None


# ---------------------------------------------------------------------------- pydantic errors

# Which model sits at a path (list indices removed), to suggest the right field names.
_MODEL_AT: dict[tuple[str, ...], type[BaseModel]] = {
    (): QuestionSet,
    ("scale",): ScalePoint,
    ("recommendation",): RecommendationLabels,
    ("competencies",): Competency,
    ("categories",): Category,
    ("categories", "questions"): Question,
}


def format_path(loc: Iterable[Any]) -> str:
    """('categories', 2, 'questions', 4, 'id') -> 'categories[2].questions[4].id'."""
    path = ""
    for part in loc:
        if isinstance(part, int) and not isinstance(part, bool):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(top level)"


def _translate_pydantic_error(error: Any) -> tuple[str, Msg]:
    loc = tuple(error["loc"])
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    translate = _TRANSLATIONS.get(kind)
    message = translate(loc, value, ctx) if translate else Msg("{detail}", detail=error["msg"])
    return format_path(loc), message


def _missing(loc: tuple[Any, ...], value: Any, ctx: dict[str, Any]) -> Msg:
    return Msg("is missing")


def _unknown_field(loc: tuple[Any, ...], value: Any, ctx: dict[str, Any]) -> Msg:
    model = _MODEL_AT.get(tuple(part for part in loc[:-1] if isinstance(part, str)))
    if model is None:
        return Msg("unknown field; remove it")
    allowed = list(model.model_fields)
    close = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.75)
    if close:
        return Msg("unknown field; did you mean {field!r}?", field=close[0])
    return Msg("unknown field; the fields here are {fields}", fields=", ".join(allowed))


def _too_long(loc: tuple[Any, ...], value: Any, ctx: dict[str, Any]) -> Msg:
    if not isinstance(value, str):
        return Msg("must be at most {max} characters", max=ctx["max_length"])
    return Msg("must be at most {max} characters (it has {length})", max=ctx["max_length"],
               length=len(value.strip()))


def _too_short(loc: tuple[Any, ...], value: Any, ctx: dict[str, Any]) -> Msg:
    return Msg("is empty; write some text")


def _not_a_slug(loc: tuple[Any, ...], value: Any, ctx: dict[str, Any]) -> Msg:
    # Only ids carry a pattern.
    return Msg("{value!r} is not a valid id; use lowercase letters, digits and single hyphens "
               "between words, like 'define-customer-service'", value=value)


def _not_text(loc: tuple[Any, ...], value: Any, ctx: dict[str, Any]) -> Msg:
    if value is None:
        return Msg("has no value; write some text after the colon")
    if isinstance(value, bool):
        return Msg("expected text, got {value} (YAML reads yes/no/on/off/true/false as "
                   "true/false); put the text in quotes", value=str(value).lower())
    if isinstance(value, int | float):
        return Msg("expected text, got the number {value!r}; put it in quotes", value=value)
    return Msg("expected text, got {kind}", kind=_kind(value))


def _not_whole_number(loc: tuple[Any, ...], value: Any, ctx: dict[str, Any]) -> Msg:
    return Msg("expected a whole number like 3, got {value!r}", value=value)


def _not_mapping(loc: tuple[Any, ...], value: Any, ctx: dict[str, Any]) -> Msg:
    return Msg("expected a mapping of fields (key: value lines), got {kind}", kind=_kind(value))


def _not_list(loc: tuple[Any, ...], value: Any, ctx: dict[str, Any]) -> Msg:
    return Msg("expected a list (one '- ' line per item), got {kind}", kind=_kind(value))


def _not_true_or_false(loc: tuple[Any, ...], value: Any, ctx: dict[str, Any]) -> Msg:
    return Msg("expected true or false, got {kind}", kind=_kind(value))


def _not_a_number(loc: tuple[Any, ...], value: Any, ctx: dict[str, Any]) -> Msg:
    return Msg("expected a number like 1 or 0.5, got {kind}", kind=_kind(value))


def _too_small(loc: tuple[Any, ...], value: Any, ctx: dict[str, Any]) -> Msg:
    return Msg("must be {min} or more, got {value!r}", min=format(ctx["ge"], "g"), value=value)


def _too_large(loc: tuple[Any, ...], value: Any, ctx: dict[str, Any]) -> Msg:
    return Msg("must be at most {max}, got {value!r}", max=format(ctx["le"], "g"), value=value)


def _not_one_of(loc: tuple[Any, ...], value: Any, ctx: dict[str, Any]) -> Msg:
    return Msg("{value!r} is not allowed here; write {expected}", value=value,
               expected=ctx["expected"])


_TRANSLATIONS = {
    "missing": _missing,
    "extra_forbidden": _unknown_field,
    "string_too_long": _too_long,
    "string_too_short": _too_short,
    "string_pattern_mismatch": _not_a_slug,
    "string_type": _not_text,
    "int_type": _not_whole_number,
    "int_parsing": _not_whole_number,
    "int_from_float": _not_whole_number,
    "model_type": _not_mapping,
    "model_attributes_type": _not_mapping,
    "dict_type": _not_mapping,
    "list_type": _not_list,
    "bool_type": _not_true_or_false,
    "bool_parsing": _not_true_or_false,
    "float_type": _not_a_number,
    "float_parsing": _not_a_number,
    "finite_number": _not_a_number,
    "greater_than_equal": _too_small,
    "less_than_equal": _too_large,
    "literal_error": _not_one_of,
}


def _kind(value: Any) -> Msg | str:
    if isinstance(value, dict):
        return Msg("a mapping")
    if isinstance(value, list):
        return Msg("a list")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return Msg("the number {value!r}", value=value)
    if isinstance(value, str):
        return Msg("the text {text!r}", text=_preview(value))
    if value is None:
        return Msg("nothing")
    return type(value).__name__


def _preview(text: str, length: int = 40) -> str:
    return text if len(text) <= length else text[: length - 3] + "..."


# ---------------------------------------------------------------------------- cross-field checks

Problem = tuple[str, Msg]  # (field path, message)


def _cross_field_problems(data: dict[str, Any], file_name: str | None) -> list[Problem]:
    """Checks pydantic's per-field validation cannot express. They read the raw YAML data,
    so they run (and report) even when other fields are broken; anything not of the
    expected shape is skipped here because pydantic already reports it."""
    return [
        *_language_problems(data),
        *_file_name_problems(data, file_name),
        *_set_option_problems(data),
        *_scale_problems(data.get("scale")),
        *_category_problems(data.get("categories")),
        *_question_problems(data.get("scale"), data.get("categories")),
        *_competency_problems(data.get("competencies"), data.get("categories")),
    ]


def _language_problems(data: dict[str, Any]) -> list[Problem]:
    language = data.get("language")
    if not isinstance(language, str) or not language.strip():
        return []
    language = language.strip()
    if language in SUPPORTED_LANGUAGES:
        return []
    supported = ", ".join(SUPPORTED_LANGUAGES)
    primary = language.lower().replace("_", "-").split("-")[0]
    if primary in SUPPORTED_LANGUAGES:
        return [("language", Msg("{language!r} is not supported; write {primary!r}",
                                 language=language, primary=primary))]
    return [("language", Msg("{language!r} is not supported; use one of {supported}",
                             language=language, supported=supported))]


def _file_name_problems(data: dict[str, Any], file_name: str | None) -> list[Problem]:
    set_id, language = _stripped(data.get("id")), _stripped(data.get("language"))
    if file_name is None or not re.fullmatch(SLUG_PATTERN, set_id) or not language:
        return []  # a bad id is reported on its own; no point naming a file after it
    expected = [f"{set_id}.{language}{suffix}" for suffix in YAML_SUFFIXES]
    if file_name in expected:
        return []
    return [
        (
            "file name",
            Msg("must be {expected!r} to match id {id!r} and language {language!r} (the "
                "library finds sets by id and language); rename the file or fix id/language",
                expected=expected[0], id=set_id, language=language),
        )
    ]


def _set_option_problems(data: dict[str, Any]) -> list[Problem]:
    name, language = _stripped(data.get("name")), _stripped(data.get("language"))
    if not name or not language:
        return []
    option = f"{name} ({language})"
    if len(option) <= SET_OPTION_TEXT_MAX_LENGTH:
        return []
    return [
        (
            "name",
            Msg("option text {text!r} is {length} characters; Slack shows at most {max} — "
                "shorten the name", text=_preview(option), length=len(option),
                max=SET_OPTION_TEXT_MAX_LENGTH),
        )
    ]


def _scale_problems(scale: Any) -> list[Problem]:
    if not isinstance(scale, list):
        return []
    problems: list[Problem] = []
    if not SCALE_MIN_POINTS <= len(scale) <= SCALE_MAX_POINTS:
        problems.append(("scale", Msg.ngettext(
            "has {n} point; a scale needs {low} to {high}",
            "has {n} points; a scale needs {low} to {high}", len(scale),
            low=SCALE_MIN_POINTS, high=SCALE_MAX_POINTS)))
    for index, point in enumerate(scale):
        if isinstance(point, dict):
            problems.extend(_scale_point_problems(index, point))
    return problems


def _scale_point_problems(index: int, point: dict[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    value = point.get("value")
    is_int = isinstance(value, int) and not isinstance(value, bool)
    if is_int and value != index + 1:
        # Consecutive values from 1 keep the midpoint and the agreement maths meaningful.
        problems.append(
            (f"scale[{index}].value",
             Msg("expected {n} (values count up from 1 without gaps)", n=index + 1))
        )
    label, anchor = _stripped(point.get("label")), _stripped(point.get("anchor"))
    if is_int and label and anchor:
        option = scale_option_text(value, label, anchor)
        if len(option) > SCALE_OPTION_TEXT_MAX_LENGTH:
            problems.append(
                (
                    f"scale[{index}]",
                    Msg("option text {text!r} is {length} characters; Slack shows at most "
                        "{max} — shorten the label or the anchor", text=_preview(option),
                        length=len(option), max=SCALE_OPTION_TEXT_MAX_LENGTH),
                )
            )
    return problems


def _category_problems(categories: Any) -> list[Problem]:
    if not isinstance(categories, list):
        return []
    problems: list[Problem] = []
    if not CATEGORIES_MIN <= len(categories) <= CATEGORIES_MAX:
        problems.append(("categories", Msg.ngettext(
            "has {n} category; a set needs {low} to {high}",
            "has {n} categories; a set needs {low} to {high}", len(categories),
            low=CATEGORIES_MIN, high=CATEGORIES_MAX)))
    category_ids: list[tuple[str, Any]] = []
    question_ids: list[tuple[str, Any]] = []
    total = 0
    for index, category in enumerate(categories):
        if not isinstance(category, dict):
            continue
        path = f"categories[{index}]"
        category_ids.append((f"{path}.id", category.get("id")))
        questions = category.get("questions")
        if not isinstance(questions, list):
            continue
        total += len(questions)
        if not QUESTIONS_PER_CATEGORY_MIN <= len(questions) <= QUESTIONS_PER_CATEGORY_MAX:
            problems.append((f"{path}.questions", Msg.ngettext(
                "has {n} question; a category needs {low} to {high}",
                "has {n} questions; a category needs {low} to {high}", len(questions),
                low=QUESTIONS_PER_CATEGORY_MIN, high=QUESTIONS_PER_CATEGORY_MAX)))
        question_ids += [
            (f"{path}.questions[{number}].id", question.get("id"))
            for number, question in enumerate(questions)
            if isinstance(question, dict)
        ]
    weights = [c.get("weight", 1) for c in categories if isinstance(c, dict)]
    if weights and all(w == 0 and not isinstance(w, bool) for w in weights):
        problems.append((
            "categories",
            Msg("every category has weight: 0, so nothing counts toward the mechanical "
                "recommendation; give at least one category a weight above 0"),
        ))
    if total > QUESTIONS_PER_SET_MAX:
        problems.append(
            (
                "categories",
                Msg("the set has {n} questions; at most {max} fit — split it into two sets",
                    n=total, max=QUESTIONS_PER_SET_MAX),
            )
        )
    problems += _duplicate_id_problems(category_ids, Msg("give each category its own id"))
    # Question ids are unique in the whole set because ratings are keyed by them.
    problems += _duplicate_id_problems(question_ids, Msg("give each question its own id"))
    return problems


def _questions(categories: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, question) for each question that is a mapping, the path like
    'categories[1].questions[0]'."""
    if not isinstance(categories, list):
        return
    for index, category in enumerate(categories):
        questions = category.get("questions") if isinstance(category, dict) else None
        if not isinstance(questions, list):
            continue
        for number, question in enumerate(questions):
            if isinstance(question, dict):
                yield f"categories[{index}].questions[{number}]", question


def _question_problems(scale: Any, categories: Any) -> list[Problem]:
    """A question's own anchors, probes, guidance source, and a category's spare questions."""
    problems: list[Problem] = []
    for path, question in _questions(categories):
        problems += _anchor_problems(path, question.get("anchors"), scale)
        probes = question.get("probes")
        if isinstance(probes, list) and len(probes) > PROBES_MAX:
            problems.append((
                f"{path}.probes",
                Msg("has {n} probes; a question takes at most {max} — keep the ones that "
                    "tell most", n=len(probes), max=PROBES_MAX),
            ))
        if question.get("guidance_source") is not None and not question.get("guidance"):
            problems.append((
                f"{path}.guidance_source",
                Msg("says where the guidance comes from, but the question has no guidance; "
                    "add guidance or remove guidance_source"),
            ))
    for index, category in enumerate(categories if isinstance(categories, list) else []):
        questions = category.get("questions") if isinstance(category, dict) else None
        if not isinstance(questions, list) or not questions:
            continue
        if all(isinstance(q, dict) and q.get("spare") is True for q in questions):
            problems.append((
                f"categories[{index}].questions",
                Msg("every question is marked spare: true; leave at least one core question "
                    "(remove spare from it)"),
            ))
    return problems


def _anchor_problems(path: str, anchors: Any, scale: Any) -> list[Problem]:
    if not isinstance(anchors, list) or not isinstance(scale, list):
        return []  # not a list: pydantic reports it; no scale: reported on its own
    if len(anchors) != len(scale):
        return [(
            f"{path}.anchors",
            Msg.ngettext(
                "has {n} anchor but the scale has {points} points; give one anchor per scale "
                "point, in the scale's order (or remove anchors to use the scale's own)",
                "has {n} anchors but the scale has {points} points; give one anchor per scale "
                "point, in the scale's order (or remove anchors to use the scale's own)",
                len(anchors), points=len(scale)),
        )]
    problems: list[Problem] = []
    for index, (anchor, point) in enumerate(zip(anchors, scale, strict=True)):
        label = _stripped(point.get("label")) if isinstance(point, dict) else ""
        text = _stripped(anchor)
        if not label or not text:
            continue  # an empty anchor or a broken scale point is reported on its own
        option = scale_option_text(index + 1, label, text)
        if len(option) > SCALE_OPTION_TEXT_MAX_LENGTH:
            problems.append((
                f"{path}.anchors[{index}]",
                Msg("option text {text!r} is {length} characters; Slack shows at most {max} "
                    "— shorten the anchor", text=_preview(option), length=len(option),
                    max=SCALE_OPTION_TEXT_MAX_LENGTH),
            ))
    return problems


def _competency_problems(competencies: Any, categories: Any) -> list[Problem]:
    """Competencies declared once each, at most COMPETENCIES_MAX, each used; every question
    naming a declared one when the set declares any (so a summary by competency covers every
    rating), none when it declares none."""
    declared_at: list[tuple[str, str]] = []  # (path of the id, id)
    problems: list[Problem] = []
    if isinstance(competencies, list):
        if len(competencies) > COMPETENCIES_MAX:
            problems.append((
                "competencies",
                Msg("has {n} competencies; a set takes at most {max}", n=len(competencies),
                    max=COMPETENCIES_MAX),
            ))
        ids = [
            (f"competencies[{index}].id", item.get("id"))
            for index, item in enumerate(competencies)
            if isinstance(item, dict)
        ]
        problems += _duplicate_id_problems(ids, Msg("give each competency its own id"))
        declared_at = [(path, _stripped(value)) for path, value in ids if _stripped(value)]
    declared = [competency_id for _, competency_id in declared_at]
    used: set[str] = set()
    choices = ", ".join(dict.fromkeys(declared))
    for path, question in _questions(categories):
        value = question.get("competency")
        if value is None:
            if declared and "competency" in question:
                problems.append((
                    f"{path}.competency",
                    Msg("has no value; the set declares competencies, so every question names "
                        "the one it gives evidence of: one of {choices}", choices=choices),
                ))
            elif declared:
                problems.append((
                    f"{path}.competency",
                    Msg("is missing; the set declares competencies, so every question names "
                        "the one it gives evidence of: one of {choices}", choices=choices),
                ))
            continue
        name = _stripped(value)
        if not name or not re.fullmatch(SLUG_PATTERN, name):
            continue  # not text or not an id: pydantic reports it
        used.add(name)
        if not declared:
            problems.append((
                f"{path}.competency",
                Msg("{name!r} is not declared; list the set's competencies under competencies "
                    "(id and name of each) or remove competency", name=name),
            ))
        elif name not in declared:
            close = difflib.get_close_matches(name, declared, n=1, cutoff=0.6)
            fix = Msg("did you mean {id!r}?", id=close[0]) if close else Msg(
                "use one of {choices}, or add it under competencies", choices=choices)
            problems.append((f"{path}.competency", Msg(
                "{name!r} is not one of this set's competencies; {fix}", name=name, fix=fix)))
    for path, competency_id in declared_at:
        if competency_id not in used:
            used.add(competency_id)  # reported once, at its first declaration
            problems.append((
                path,
                Msg("{id!r} is not named by any question; tag the questions it covers with "
                    "'competency: {id}', or remove it", id=competency_id),
            ))
    return problems


def _duplicate_id_problems(ids: list[tuple[str, Any]], fix: Msg) -> list[Problem]:
    """One problem at every use of an id after its first, naming the other places."""
    paths_by_id: dict[str, list[str]] = {}
    for path, value in ids:
        if isinstance(value, str) and value.strip():
            paths_by_id.setdefault(value.strip(), []).append(path)
    problems: list[Problem] = []
    for value, paths in paths_by_id.items():
        for path in paths[1:]:
            others = ", ".join(other for other in paths if other != path)
            if len(paths) == 2:
                message = Msg("{id!r} is used twice in this set (also at {others}); {fix}",
                              id=value, others=others, fix=fix)
            else:
                message = Msg("{id!r} is used {n} times in this set (also at {others}); {fix}",
                              id=value, n=len(paths), others=others, fix=fix)
            problems.append((path, message))
    return problems


def _stripped(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


# ---------------------------------------------------------------------------- library


def shipped_dir() -> Path:
    """The ``question_sets`` package directory, holding the shipped YAML files."""
    return Path(str(importlib.resources.files("question_sets")))


def yaml_files(directory: Path) -> list[Path]:
    return sorted(
        path for path in directory.iterdir() if path.is_file() and path.suffix in YAML_SUFFIXES
    )


class QuestionSetLibrary:
    """Every loaded set, keyed by (id, language)."""

    def __init__(self, sets: Iterable[QuestionSet] = (), errors: Iterable[str] = (),
                 paths: dict[tuple[str, str], Path] | None = None) -> None:
        by_key = {question_set.key: question_set for question_set in sets}
        self._paths = dict(paths or {})
        self._by_key = by_key
        self.sets: list[QuestionSet] = sorted(
            by_key.values(), key=lambda s: (s.name.casefold(), s.language, s.id)
        )
        self.errors: list[str] = list(errors)

    @classmethod
    def load(cls, extra_dirs: Sequence[Path] = ()) -> QuestionSetLibrary:
        """Shipped sets first, then each extra dir in order; a later set with the same
        (id, language) overrides an earlier one. A broken file is skipped and reported."""
        by_key: dict[tuple[str, str], QuestionSet] = {}
        paths: dict[tuple[str, str], Path] = {}
        errors: list[str] = []
        for directory in [shipped_dir(), *map(Path, extra_dirs)]:
            if not directory.is_dir():
                errors.append(f"{directory}: question set directory not found")
                logger.error("Question set directory not found: %s", directory)
                continue
            for path in yaml_files(directory):
                try:
                    question_set = load_question_set_file(path)
                except QuestionSetError as exc:
                    errors.extend(exc.problems)
                    logger.error(
                        "Skipping question set file %s:\n  %s", path, "\n  ".join(exc.problems)
                    )
                    continue
                if question_set.key in by_key:
                    logger.info("Question set %s.%s overridden by %s", *question_set.key, path)
                by_key[question_set.key] = question_set
                paths[question_set.key] = path
        return cls(by_key.values(), errors, paths)

    def get(self, set_id: str, language: str) -> QuestionSet | None:
        return self._by_key.get((set_id, language))

    def source_text(self, key: tuple[str, str]) -> str | None:
        """The file a set was loaded from, as it is written (comments included), if it
        still parses to the same set; else None."""
        path, loaded = self._paths.get(key), self._by_key.get(key)
        if path is None or loaded is None:
            return None
        try:
            text = path.read_text(encoding="utf-8-sig")
            same = parse_question_set(text, path.name) == loaded
        except (OSError, UnicodeDecodeError, QuestionSetError):
            return None
        return text if same else None

    def languages(self, set_id: str) -> list[str]:
        return sorted(language for (key_id, language) in self._by_key if key_id == set_id)

    def __len__(self) -> int:
        return len(self.sets)

    def __iter__(self) -> Iterator[QuestionSet]:
        return iter(self.sets)


# ---------------------------------------------------------------------------- CLI helpers


def run_list(extra_dirs: Sequence[Path], out: TextIO) -> int:
    """`interview-bot question-sets list`: one line per set, then any problems."""
    library = QuestionSetLibrary.load(extra_dirs)
    if library.sets:
        header = ("ID", "LANGUAGE", "CATEGORIES", "QUESTIONS", "NAME")
        rows = [
            (s.id, s.language, str(len(s.categories)), str(s.question_count), s.name)
            for s in library
        ]
        out.write(_table(header, rows))
    else:
        out.write("No question sets found.\n")
    if library.errors:
        out.write(f"\nSkipped because of problems ({len(library.errors)}):\n")
        out.writelines(f"{problem}\n" for problem in library.errors)
    return 0


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[column]) for row in [header, *rows]) for column in range(len(header))]
    numeric = {2, 3}  # right-align the counts
    lines = []
    for row in [header, *rows]:
        cells = [
            cell.rjust(width) if column in numeric else cell.ljust(width)
            for column, (cell, width) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def run_check(paths: Sequence[Path], out: TextIO) -> int:
    """`interview-bot question-sets check [PATH...]`: validate files (a directory means every
    *.yaml / *.yml in it; no paths means the shipped sets). Returns 1 if any problem."""
    failed = False
    for path in _files_to_check(paths or [shipped_dir()], out):
        if path is None:
            failed = True
            continue
        try:
            question_set = load_question_set_file(path)
        except QuestionSetError as exc:
            failed = True
            out.writelines(f"{problem}\n" for problem in exc.problems)
        else:
            out.write(f"ok: {path} ({question_set.question_count} questions)\n")
    return 1 if failed else 0


def _files_to_check(paths: Sequence[Path], out: TextIO) -> Iterator[Path | None]:
    """The files to check; None stands for a path problem already written to `out`."""
    for path in map(Path, paths):
        if path.is_dir():
            files = yaml_files(path)
            if not files:
                out.write(f"{path}: no *.yaml or *.yml files in this directory\n")
                yield None
            yield from files
        elif path.is_file():
            yield path
        else:
            out.write(f"{path}: no such file or directory\n")
            yield None
