"""Suppression: Hypothesis builds tables of people and attacks what `suppress` publishes.

The attackers know every shown count and every sum the tables state, and are written
here without the module's own audit: one subtracts, equation by equation, as a person with
a pencil would; the other asks a linear program for the least and the most each hidden
count can be, given the shown counts, the sums and that no count is negative. A hidden
count is recovered when the two agree. Neither may ever succeed.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from incubator.services.inclusion.suppression import THRESHOLD, Shown, Table, rate, suppress

# Small counts often, so that tables have something to hide.
COUNTS = st.one_of(st.just(0), st.integers(1, THRESHOLD), st.integers(THRESHOLD + 1, 400))
SIZES = st.integers(1, 5)


@st.composite
def tables(draw, most_columns=5):
    """A table with some or all of its totals."""
    height, width = draw(SIZES), draw(st.integers(1, most_columns))
    cells = [[draw(COUNTS) for _ in range(width)] for _ in range(height)]
    with_rows, with_columns = draw(st.booleans()), draw(st.booleans())
    return Table(
        cells=cells,
        row_totals=[sum(row) for row in cells] if with_rows else None,
        column_totals=[sum(column) for column in zip(*cells, strict=True)]
        if with_columns
        else None,
        grand_total=sum(map(sum, cells)) if (with_rows or with_columns) else None,
    )


@st.composite
def same_people(draw):
    """Two tables of the same people (say, by gender and by age band): the same column
    totals and grand total, the people split into other rows."""
    first = draw(tables(most_columns=4))
    cells = [list(row) for row in first.cells]
    totals = [sum(column) for column in zip(*cells, strict=True)]
    height = draw(st.integers(1, 5))
    second = [[0] * len(totals) for _ in range(height)]
    for c, total in enumerate(totals):
        left = total
        for r in range(height - 1):
            second[r][c] = draw(st.integers(0, left))
            left -= second[r][c]
        second[-1][c] = left
    with_rows = draw(st.booleans())

    def table(rows):
        return Table(
            cells=rows,
            row_totals=[sum(row) for row in rows] if with_rows else None,
            column_totals=totals,
            grand_total=sum(totals),
        )

    return [table(cells), table(second)]


# What an attacker knows -----------------------------------------------------------------------


def published_system(tables: list[Table], shown: list[Shown]):
    """Every count as (true value, shown value or None) by name, and every sum the tables
    state as a list of (name, sign); the column and grand totals of tables passed together
    are one count each."""
    counts, sums = {}, []
    for t, (table, published) in enumerate(zip(tables, shown, strict=True)):
        for r, row in enumerate(table.cells):
            for c, value in enumerate(row):
                counts[("cell", t, r, c)] = (value, published.cells[r][c])
        sums += row_sums(t, table, published, counts) + column_sums(t, table, published, counts)
    return counts, sums


def row_sums(t, table, published, counts):
    if table.row_totals is None:
        return []
    sums = []
    for r, total in enumerate(table.row_totals):
        counts[("row", t, r)] = (total, published.row_totals[r])
        cells = [(("cell", t, r, c), 1) for c in range(len(table.cells[0]))]
        sums.append([*cells, (("row", t, r), -1)])
    if table.grand_total is not None:
        counts[("grand",)] = (table.grand_total, published.grand_total)
        rows = [(("row", t, r), 1) for r in range(len(table.row_totals))]
        sums.append([*rows, (("grand",), -1)])
    return sums


def column_sums(t, table, published, counts):
    if table.column_totals is None:
        return []
    sums = []
    for c, total in enumerate(table.column_totals):
        counts[("column", c)] = (total, published.column_totals[c])
        cells = [(("cell", t, r, c), 1) for r in range(len(table.cells))]
        sums.append([*cells, (("column", c), -1)])
    if table.grand_total is not None:
        counts[("grand",)] = (table.grand_total, published.grand_total)
        columns = [(("column", c), 1) for c in range(len(table.column_totals))]
        sums.append([*columns, (("grand",), -1)])
    return sums


def hidden_names(counts):
    return sorted((name for name, (_, shown) in counts.items() if shown is None), key=repr)


def subtraction_attack(counts, sums) -> dict:
    """Solve every sum with one unknown left, again and again; what it found."""
    known = {name: shown for name, (_, shown) in counts.items() if shown is not None}
    found = {}
    progress = True
    while progress:
        progress = False
        for equation in sums:
            unknown = [(name, sign) for name, sign in equation if name not in known]
            if len(unknown) == 1:
                name, sign = unknown[0]
                rest = sum(known[other] * s for other, s in equation if other in known)
                known[name] = found[name] = -rest // sign
                progress = True
    return found


def bounds_attack(counts, sums) -> dict:
    """The least and the most each hidden count can be, by linear programming."""
    hidden = hidden_names(counts)
    if not hidden:
        return {}
    index = {name: i for i, name in enumerate(hidden)}
    rows, right = [], []
    for equation in sums:
        row = [0.0] * len(hidden)
        rest = 0
        for name, sign in equation:
            if name in index:
                row[index[name]] += sign
            else:
                rest += sign * counts[name][1]
        if any(row):
            rows.append(row)
            right.append(-rest)
    ranges = {}
    for name, i in index.items():
        objective = [0.0] * len(hidden)
        ends = []
        for direction in (1.0, -1.0):
            objective[i] = direction
            result = linprog(
                objective, A_eq=rows or None, b_eq=right or None, bounds=(0, None), method="highs"
            )
            ends.append(direction * result.fun if result.status == 0 else None)
        ranges[name] = tuple(ends)
    return ranges


def attack(tables_: list[Table]):
    shown = suppress(tables_)
    counts, sums = published_system(tables_, shown)
    return shown, counts, sums


def assert_nothing_recovered(counts, sums):
    recovered = subtraction_attack(counts, sums)
    assert recovered == {}, f"subtraction recovers {recovered}"
    for name, (low, high) in bounds_attack(counts, sums).items():
        true = counts[name][0]
        # Unbounded above (None) is as safe as it gets.
        assert low is not None
        assert low - 1e-6 <= true
        assert high is None or true <= high + 1e-6
        assert high is None or high - low >= 1, f"{name} = {true} is pinned to [{low}, {high}]"


# The attacks ---------------------------------------------------------------------------------

ATTACKS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ATTACKS
@given(tables())
def test_no_hidden_count_is_recovered_from_one_table(table):
    _, counts, sums = attack([table])
    assert_nothing_recovered(counts, sums)


@ATTACKS
@given(same_people())
def test_no_hidden_count_is_recovered_from_two_tables_of_the_same_people(pair):
    _, counts, sums = attack(pair)
    assert_nothing_recovered(counts, sums)


@ATTACKS
@given(st.one_of(tables().map(lambda table: [table]), same_people()))
def test_small_counts_are_hidden_and_zeros_shown(tables_):
    _, counts, _ = attack(tables_)
    for name, (true, shown) in counts.items():
        if 1 <= true <= THRESHOLD:
            assert shown is None, f"{name} = {true} is shown"
        if true == 0:
            assert shown == 0, f"{name} is a zero and hidden"
        assert shown is None or shown == true
        assert shown is None or shown == 0 or shown > THRESHOLD


@ATTACKS
@given(tables(), st.data())
def test_nothing_is_hidden_when_no_count_is_small(table, data):
    large = st.one_of(st.just(0), st.integers(THRESHOLD + 1, 400))
    cells = [[data.draw(large) for _ in row] for row in table.cells]
    big = Table(
        cells=cells,
        row_totals=None if table.row_totals is None else [sum(row) for row in cells],
        column_totals=None
        if table.column_totals is None
        else [sum(column) for column in zip(*cells, strict=True)],
        grand_total=None if table.grand_total is None else sum(map(sum, cells)),
    )
    _, counts, _ = attack([big])
    assert hidden_names(counts) == []


# Simple cases, by hand --------------------------------------------------------------------------


def test_one_small_cell_costs_a_rectangle_of_four_and_no_totals():
    table = Table(
        cells=[[5, 40, 60], [50, 70, 80], [90, 100, 110]],
        row_totals=[105, 200, 300],
        column_totals=[145, 210, 250],
        grand_total=605,
    )
    (shown,) = suppress([table])
    hidden = [(r, c) for r, row in enumerate(shown.cells) for c, v in enumerate(row) if v is None]
    assert len(hidden) == 4
    assert (0, 0) in hidden
    assert {r for r, _ in hidden} == {0, hidden[-1][0]}
    assert shown.row_totals == (105, 200, 300)
    assert shown.column_totals == (145, 210, 250)
    assert shown.grand_total == 605


def test_a_column_with_one_small_count_hides_the_next_smallest():
    (shown,) = suppress([Table(cells=[[5], [40], [60]], column_totals=[105])])
    assert shown.cells == ((None,), (None,), (60,))
    assert shown.column_totals == (105,)


def test_two_hidden_cells_that_add_up_to_a_small_number_take_a_third():
    # 1 + 1 under a shown total would say both are 1.
    (shown,) = suppress([Table(cells=[[1], [1], [40], [60]], column_totals=[102])])
    assert shown.cells == ((None,), (None,), (None,), (60,))


def test_a_small_total_is_hidden_like_a_cell():
    (shown,) = suppress([Table(cells=[[3, 4]], row_totals=[7])])
    assert shown.cells == ((None, None),)
    assert shown.row_totals == (None,)


def test_a_total_hidden_in_one_table_is_hidden_in_the_other():
    by_gender = Table(cells=[[4], [3]], column_totals=[7])
    by_age = Table(cells=[[0], [7]], column_totals=[7])
    gender, age = suppress([by_gender, by_age])
    assert gender.column_totals == age.column_totals == (None,)
    assert age.cells == ((0,), (None,))


def test_tables_of_the_same_people_must_agree_on_their_totals():
    with pytest.raises(ValueError, match="same column and grand totals"):
        suppress([Table(cells=[[20]], column_totals=[20]), Table(cells=[[30]], column_totals=[30])])


def test_totals_that_are_not_the_sums_are_refused():
    with pytest.raises(ValueError, match="sums of its counts"):
        suppress([Table(cells=[[20, 30]], row_totals=[51])])


def test_a_rate_needs_both_counts_shown():
    assert rate(20, 40) == 0.5
    assert rate(None, 40) is None
    assert rate(20, None) is None
    assert rate(0, 0) is None
