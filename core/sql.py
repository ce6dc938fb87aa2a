"""Raw SQL that runs on PostgreSQL and the embedded SQLite alike."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from django.db.models import BooleanField, Expression, F


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


class Condition(Expression):
    """A condition for .filter() written in SQL: cheap to compose where the ORM's form is not.

    `sql` names columns of the filtered row as {name}, each given as a field name (or expression)
    that the ORM compiles, so the condition holds under any alias Django gives the table (inside
    a subquery too); values are query parameters, written %s in `sql` and given in order by
    `params`. A rule's SQL stays in the rule's one home; this only saves composing it from lookups
    on every request.
    """

    conditional = True

    def __init__(self, sql: str, params: Sequence[Any] = (), **columns: str | Expression) -> None:
        super().__init__(output_field=BooleanField())
        self.sql, self.params = sql, tuple(params)
        self.names = list(columns)
        self.columns = [F(c) if isinstance(c, str) else c for c in columns.values()]

    def get_source_expressions(self) -> list[Any]:
        return self.columns

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.columns = list(exprs)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        refs = {}
        for name, column in zip(self.names, self.columns, strict=True):
            sql, column_params = compiler.compile(column)
            if column_params:
                raise ValueError(f"{name} must be a plain column: its SQL takes no parameters")
            refs[name] = sql
        return f"({self.sql.format(**refs)})", list(self.params)
