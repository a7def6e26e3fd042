"""Focus categories: which question categories each panelist covers.

Pure and deterministic (same input, same output). With C categories and P panelists:

- P == 1: the one panelist covers every category.
- P >= 2: every category has at least two panelists (consensus needs two raters), every
  panelist has at least one category, nobody gets a category twice, and loads (the number
  of categories per panelist) differ by at most 1. The total number of (panelist, category)
  pairs is the least that allows this, S = max(2·C, P), so:
  - C >= P (or generally P <= 2·C): every category has exactly two panelists; each panelist
    covers ⌊2C/P⌋ or ⌈2C/P⌉ categories;
  - P > 2·C (more people than two per category): every panelist covers exactly one
    category; categories are shared by ⌊P/C⌋ or ⌈P/C⌉ panelists.
  Category counts per panel always differ by at most 1 as well.

How: the categories are written out in order, over and over, S items long; each panelist
takes the next contiguous stretch of it (the first S mod P panelists one item more). A
stretch is never longer than C, so it never holds a category twice, and the two copies of a
category (C items apart) always fall to different panelists. Each panelist's list is given
back in the set's category order.
"""

from __future__ import annotations

from collections.abc import Sequence


def assign_focus(category_ids: Sequence[str], panelist_ids: Sequence[str]) -> dict[str, list[str]]:
    """{panelist id: [category ids in set order]}, for every panelist given."""
    if len(set(panelist_ids)) != len(panelist_ids):
        raise ValueError("each panelist may appear only once")
    if len(set(category_ids)) != len(category_ids):
        raise ValueError("each category may appear only once")
    categories, panel = list(category_ids), list(panelist_ids)
    if not panel:
        return {}
    if not categories:
        return {p: [] for p in panel}
    if len(panel) == 1:
        return {panel[0]: categories}
    total = max(2 * len(categories), len(panel))
    stream = [categories[i % len(categories)] for i in range(total)]
    base, extra = divmod(total, len(panel))
    order = {c: i for i, c in enumerate(categories)}
    assignment: dict[str, list[str]] = {}
    start = 0
    for index, panelist in enumerate(panel):
        size = base + (1 if index < extra else 0)
        assignment[panelist] = sorted(stream[start:start + size], key=order.__getitem__)
        start += size
    return assignment
