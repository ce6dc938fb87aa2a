"""Raw SQL that runs on PostgreSQL and the embedded SQLite alike."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any


def with_id_lists(
    template: str, lists: dict[str, Collection[int]], **fragments: str
) -> tuple[str, dict[str, Any]]:
    """Return template with each {name} of `lists` as one query parameter per id, and their values.

    SQLite has no arrays: `IN ({ids})` becomes `IN (%(ids0)s, %(ids1)s, ...)` on both databases
    (`NULL` for an empty list, which matches nothing). Other {name}s take the SQL text of
    `fragments` (code's own SQL, such as json_number_at's, never a value).
    """
    params = {f"{name}{i}": value for name, values in lists.items() for i, value in enumerate(values)}
    marks = {
        name: ", ".join(f"%({name}{i})s" for i in range(len(values))) or "NULL"
        for name, values in lists.items()
    }
    return template.format(**marks, **fragments), params


def json_number_at(array: str, index: str, *, vendor: str) -> str:
    """Return SQL for the number at a 0-based index of a JSON array column (NULL if either is absent).

    array and index are SQL expressions, e.g. `a.item_scores` and `i.position - 1`.
    """
    if vendor == "postgresql":
        return f"({array} ->> ({index}))::float8"
    return f"json_extract({array}, '$[' || ({index}) || ']')"
