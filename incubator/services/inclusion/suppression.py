"""What may be published of a table of people: small counts hidden, and hidden for good.

Every number of people that leaves the app (pages other than a person's own, CSV, JSON, the
partner view, the public section) goes through `suppress`, which takes one table of counts,
or several tables about the same people, and says which counts may be shown. Pure: plain
values in, plain values out.

The method (cell suppression with an exact audit):

1. *Primary suppression.* Every count from 1 to `THRESHOLD` (10) is hidden: a cell, a row
   or column total, or the grand total. Zero is shown: "nobody" discloses nothing about a
   person.
2. *The published equations.* A table states what adds up: each row to its row total (when
   it has one), each column to its column total (when it has one), the row totals and the
   column totals to the grand total. Tables passed together describe the same people, so
   their column totals and grand total are the same numbers (the same unknowns to an
   attacker): a count hidden in one table and shown in another is not hidden at all, and
   two tables that share totals give two ways of subtracting.
3. *Complementary suppression.* An attacker knows every shown count and every equation. A
   hidden count is recoverable exactly when it is fixed by those linear equations, which is
   exactly when its unit vector lies in the row space of the equations restricted to the
   hidden counts. The audit brings that system to reduced row echelon form, exactly, in
   fractions: a hidden count is exposed when some row of that form has it alone. For each
   exposed count one more count is hidden in an equation it belongs to (the smallest
   positive shown count there, a cell before a total, so that as little as possible is
   lost), and the audit runs again, until nothing hidden is exposed. Before each audit a
   cheap rule hides complements on every equation with exactly one hidden count (the
   subtraction of one row or column), which is what the audit would find first anyway.
4. *Slivers.* An equation whose total is shown tells the sum of its hidden cells; when that
   sum is from 1 to `THRESHOLD`, each of those cells is known to be small (two hidden cells
   summing to 2 are both 1). Such an equation gets another complement too.
5. *Rates.* A rate or percentage is shown only when both of its counts are shown (`rate`),
   and a sum of published counts only when all of them are (`total_of`): neither then tells
   anything that the shown counts did not.

Zero is never hidden as a complement while a positive count can be, so every hidden count
is positive, and an attacker who also uses "counts are not negative" learns nothing more
than the equations tell (the true values lie inside the bounds, not on them).

What it does not cover: tables of different people that overlap are suppressed separately.
The funnel builds the table of all hackathons from the hackathons' published tables (a sum
shown only where every part is), so that pair tells nothing new; see funnel.py for the
overlaps it still leaves.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

# Counts from 1 to this are hidden.
THRESHOLD = 10

Key = tuple[Hashable, ...]
Equation = dict[Key, int]


@dataclass(frozen=True)
class Table:
    """Counts of people, rows by columns, with the totals that are published beside them.

    `row_totals`: what each row adds up to, or None when the rows do not add up (the steps
    of a funnel are nested, not parts of a whole). `column_totals`: what each column adds up
    to, or None (a person counted once per answer in a question with several answers).
    `grand_total`: what the row totals, and the column totals, add up to, or None.
    """

    cells: Sequence[Sequence[int]]
    row_totals: Sequence[int] | None = None
    column_totals: Sequence[int] | None = None
    grand_total: int | None = None


@dataclass(frozen=True)
class Shown:
    """A table as it may be published: None where a count is hidden."""

    cells: tuple[tuple[int | None, ...], ...]
    row_totals: tuple[int | None, ...] | None
    column_totals: tuple[int | None, ...] | None
    grand_total: int | None


def suppress(tables: Sequence[Table]) -> list[Shown]:
    """The tables as they may be published; tables passed together are about the same
    people (their column totals and grand totals are the same numbers)."""
    values, equations = _system(tables)
    hidden = {key for key, value in values.items() if 1 <= value <= THRESHOLD}
    while True:
        _protect_lines(values, equations, hidden)
        exposed = exposed_counts(hidden, equations)
        if not exposed or not _add_complements(exposed, values, equations, hidden):
            break
    return [_shown(number, table, values, hidden) for number, table in enumerate(tables)]


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """numerator / denominator, or None when either count is hidden or the denominator is 0."""
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def total_of(counts: Iterable[int | None]) -> int | None:
    """The sum of published counts, or None when any of them is hidden."""
    total = 0
    for count in counts:
        if count is None:
            return None
        total += count
    return total


# The system an attacker sees -------------------------------------------------------------------


def _cell(table: int, row: int, column: int) -> Key:
    return ("cell", table, row, column)


def _row(table: int, row: int) -> Key:
    return ("row", table, row)


def _column(column: int) -> Key:
    return ("column", column)


GRAND: Key = ("grand",)


def _system(tables: Sequence[Table]) -> tuple[dict[Key, int], list[Equation]]:
    """Every published count by key, and the equations between them (each sums to 0)."""
    values: dict[Key, int] = {}
    equations: list[Equation] = []
    for number, table in enumerate(tables):
        _check_shape(table)
        for r, row in enumerate(table.cells):
            for c, value in enumerate(row):
                _put(values, _cell(number, r, c), value)
        equations += _table_equations(number, table, values)
    _check_sums(values, equations)
    # The column totals and the grand total are one equation each, however many tables.
    unique = {tuple(sorted(equation.items())): equation for equation in equations}
    return values, list(unique.values())


def _table_equations(number: int, table: Table, values: dict[Key, int]) -> list[Equation]:
    equations: list[Equation] = []
    columns = len(table.cells[0]) if table.cells else 0
    if table.row_totals is not None:
        for r, total in enumerate(table.row_totals):
            _put(values, _row(number, r), total)
            equation = {_cell(number, r, c): 1 for c in range(columns)}
            equations.append({**equation, _row(number, r): -1})
    if table.column_totals is not None:
        for c, total in enumerate(table.column_totals):
            _put(values, _column(c), total)
            equation = {_cell(number, r, c): 1 for r in range(len(table.cells))}
            equations.append({**equation, _column(c): -1})
    if table.grand_total is not None:
        _put(values, GRAND, table.grand_total)
        if table.row_totals is not None:
            rows = {_row(number, r): 1 for r in range(len(table.row_totals))}
            equations.append({**rows, GRAND: -1})
        if table.column_totals is not None:
            equations.append({**{_column(c): 1 for c in range(columns)}, GRAND: -1})
    return equations


def _put(values: dict[Key, int], key: Key, value: int) -> None:
    if not isinstance(value, int) or value < 0:
        raise ValueError(f"a count must be a whole number of 0 or more, not {value!r}")
    if values.setdefault(key, value) != value:
        raise ValueError("tables of the same people must have the same column and grand totals")


def _check_shape(table: Table) -> None:
    widths = {len(row) for row in table.cells}
    if len(widths) > 1:
        raise ValueError("every row of a table must have as many cells")
    if table.row_totals is not None and len(table.row_totals) != len(table.cells):
        raise ValueError("a table needs one row total per row")
    if table.column_totals is not None and widths and len(table.column_totals) != widths.pop():
        raise ValueError("a table needs one column total per column")


def _check_sums(values: dict[Key, int], equations: list[Equation]) -> None:
    for equation in equations:
        if sum(values[key] * sign for key, sign in equation.items()) != 0:
            raise ValueError("a table's totals must be the sums of its counts")


# Complementary suppression ----------------------------------------------------------------------


def _protect_lines(values: dict[Key, int], equations: list[Equation], hidden: set[Key]) -> None:
    """Hide complements until no equation has exactly one hidden count, nor a shown total
    with hidden cells that add up to a small number."""
    changed = True
    while changed:
        changed = False
        for equation in equations:
            if _line_reveals(equation, values, hidden):
                complement = _complement(equation, values, hidden)
                if complement is not None:
                    hidden.add(complement)
                    changed = True


def _line_reveals(equation: Equation, values: dict[Key, int], hidden: set[Key]) -> bool:
    """Whether one equation alone gives away a hidden count: it has exactly one, or its
    total is shown and its hidden cells add up to a count from 1 to THRESHOLD."""
    unknown = [key for key in equation if key in hidden]
    if len(unknown) == 1:
        return True
    if not unknown or any(equation[key] < 0 for key in unknown):
        return False
    return 1 <= sum(values[key] for key in unknown) <= THRESHOLD


def _complement(equation: Equation, values: dict[Key, int], hidden: set[Key]) -> Key | None:
    """The shown count of the equation whose hiding loses least: the smallest positive one,
    a cell before a total; a zero only when nothing else is left."""
    shown = [key for key in equation if key not in hidden]
    if not shown:
        return None
    return min(shown, key=lambda key: (values[key] == 0, equation[key] < 0, values[key], key))


def _add_complements(
    exposed: set[Key], values: dict[Key, int], equations: list[Equation], hidden: set[Key]
) -> bool:
    """Hide one more count for each exposed count: a positive one in an equation it belongs
    to, else a positive one in any equation with a hidden count, else a zero; False when
    nothing is left to hide."""
    added = False
    for key in sorted(exposed, key=repr):
        own = [equation for equation in equations if key in equation]
        linked = [equation for equation in equations if hidden.intersection(equation)]
        complement = (
            _best_complement(own, values, hidden, zero=False)
            or _best_complement(linked, values, hidden, zero=False)
            or _best_complement(own + linked, values, hidden, zero=True)
        )
        if complement is not None:
            hidden.add(complement)
            added = True
    return added


def _best_complement(
    equations: list[Equation], values: dict[Key, int], hidden: set[Key], zero: bool
) -> Key | None:
    """The smallest shown count of these equations (positive ones only unless `zero`)."""
    candidates = [
        key
        for equation in equations
        for key in equation
        if key not in hidden and (zero or values[key] > 0)
    ]
    if not candidates:
        return None
    return min(candidates, key=lambda key: (values[key] == 0, values[key], repr(key)))


# The audit ---------------------------------------------------------------------------------------


def exposed_counts(hidden: set[Key], equations: Iterable[Equation]) -> set[Key]:
    """The hidden counts that the equations fix, given every shown count: those whose unit
    vector is in the row space of the equations restricted to the hidden counts, found as the
    rows of the reduced row echelon form that hold one count alone."""
    basis: dict[Key, dict[Key, Fraction]] = {}
    for equation in equations:
        row = {key: Fraction(sign) for key, sign in equation.items() if key in hidden}
        _reduce_into(basis, row)
    return {pivot for pivot, row in basis.items() if len(row) == 1}


def _reduce_into(basis: dict[Key, dict[Key, Fraction]], row: dict[Key, Fraction]) -> None:
    """Add a row to a basis kept in reduced row echelon form (each pivot appears in its own
    row only)."""
    for pivot in [key for key in row if key in basis]:
        factor = row.get(pivot)
        if factor:
            _add_multiple(row, basis[pivot], -factor)
    if not row:
        return
    pivot = min(row, key=repr)
    scale = row[pivot]
    row = {key: value / scale for key, value in row.items()}
    for other in basis.values():
        factor = other.get(pivot)
        if factor:
            _add_multiple(other, row, -factor)
    basis[pivot] = row


def _add_multiple(target: dict[Key, Fraction], source: dict[Key, Fraction], factor: Fraction):
    """target += factor * source, dropping the entries that become 0."""
    for key, value in source.items():
        result = target.get(key, Fraction(0)) + factor * value
        if result:
            target[key] = result
        else:
            target.pop(key, None)


# Publishing ---------------------------------------------------------------------------------------


def _shown(number: int, table: Table, values: dict[Key, int], hidden: set[Key]) -> Shown:
    def show(key: Key) -> int | None:
        return None if key in hidden else values[key]

    columns = len(table.cells[0]) if table.cells else 0
    return Shown(
        cells=tuple(
            tuple(show(_cell(number, r, c)) for c in range(columns))
            for r in range(len(table.cells))
        ),
        row_totals=None
        if table.row_totals is None
        else tuple(show(_row(number, r)) for r in range(len(table.row_totals))),
        column_totals=None
        if table.column_totals is None
        else tuple(show(_column(c)) for c in range(len(table.column_totals))),
        grand_total=None if table.grand_total is None else show(GRAND),
    )
