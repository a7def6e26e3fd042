"""Focus categories: the spreading rules, checked over every panel and set size."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core.focus import assign_focus

CATEGORIES = [f"cat-{i}" for i in range(10)]
PEOPLE = [f"U{i:02d}" for i in range(12)]

sizes = st.tuples(st.integers(1, 10), st.integers(1, 12))


def spread(categories: int, panelists: int) -> dict[str, list[str]]:
    return assign_focus(CATEGORIES[:categories], PEOPLE[:panelists])


def raters(assignment: dict[str, list[str]]) -> Counter[str]:
    return Counter(c for focus in assignment.values() for c in focus)


@given(sizes)
def test_every_panelist_gets_at_least_one_category_and_none_twice(size: tuple[int, int]) -> None:
    assignment = spread(*size)
    assert list(assignment) == PEOPLE[:size[1]]
    for focus in assignment.values():
        assert focus
        assert len(focus) == len(set(focus))


@given(sizes)
def test_every_category_is_covered_by_two_when_the_panel_has_two(size: tuple[int, int]) -> None:
    categories, panelists = size
    counts = raters(spread(*size))
    assert set(counts) == set(CATEGORIES[:categories])
    assert min(counts.values()) >= min(2, panelists)
    # ...and the raters of a category are spread as evenly as the loads allow.
    assert max(counts.values()) - min(counts.values()) <= 1


@given(sizes)
def test_loads_differ_by_at_most_one_and_are_the_least_possible(size: tuple[int, int]) -> None:
    categories, panelists = size
    loads = [len(f) for f in spread(*size).values()]
    assert max(loads) - min(loads) <= 1
    if panelists == 1:
        assert loads == [categories]
    else:
        assert sum(loads) == max(2 * categories, panelists)
        assert max(loads) == math.ceil(max(2 * categories, panelists) / panelists)


@given(sizes)
def test_more_panelists_than_two_per_category_share_categories_one_each(
        size: tuple[int, int]) -> None:
    categories, panelists = size
    if panelists < 2 * categories:
        return
    assignment = spread(*size)
    assert all(len(f) == 1 for f in assignment.values())
    counts = raters(assignment)
    assert {panelists // categories, math.ceil(panelists / categories)} >= set(counts.values())


@given(sizes)
def test_each_list_keeps_the_set_order_and_is_deterministic(size: tuple[int, int]) -> None:
    first = spread(*size)
    assert first == spread(*size)
    for focus in first.values():
        assert focus == sorted(focus, key=CATEGORIES.index)


def test_a_worked_example() -> None:
    assert assign_focus(["a", "b", "c", "d", "e"], ["pia", "peeter", "mari"]) == {
        "pia": ["a", "b", "c", "d"],
        "peeter": ["a", "b", "e"],
        "mari": ["c", "d", "e"],
    }
    assert assign_focus(["a", "b"], ["x"]) == {"x": ["a", "b"]}
    assert assign_focus(["a"], ["x", "y", "z"]) == {"x": ["a"], "y": ["a"], "z": ["a"]}


def test_edges() -> None:
    assert assign_focus(["a"], []) == {}
    with pytest.raises(ValueError):
        assign_focus(["a"], ["x", "x"])
