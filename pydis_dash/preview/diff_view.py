"""``preview --env NAME``: each resource's planned change as a side-by-side diff, live on the left."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from pydis_dash.plan import Change, canonical_json

#: Unchanged lines kept around each changed block.
CONTEXT_LINES = 3


@dataclass(frozen=True)
class DiffRow:
    """One row of the side-by-side table; ``tag`` is ``equal``, ``replace``, ``delete``, ``insert`` or
    ``skip`` (a gap of unchanged lines left out)."""

    tag: str
    left_number: int | None
    left: str
    right_number: int | None
    right: str


@dataclass(frozen=True)
class ChangeView:
    """A planned change as the page shows it."""

    action: str
    symbol: str
    drift: str | None
    blocked: str | None
    notes: tuple[str, ...]
    rows: tuple[DiffRow, ...]


def change_view(change: Change) -> ChangeView:
    """The side-by-side rows of one change (none for an unchanged resource)."""
    rows: tuple[DiffRow, ...] = ()
    if change.shows_content:
        rows = side_by_side(
            canonical_json(change.before).splitlines() if change.before is not None else [],
            canonical_json(change.after).splitlines() if change.after is not None else [],
        )
    return ChangeView(
        action=change.action.value,
        symbol=change.action.symbol,
        drift=change.drift.describe() if change.drift else None,
        blocked=change.blocked,
        notes=change.notes,
        rows=rows,
    )


def side_by_side(before: list[str], after: list[str], context: int = CONTEXT_LINES) -> tuple[DiffRow, ...]:
    """Pair the lines of ``before`` and ``after``: changed blocks with ``context`` unchanged lines around."""
    rows: list[DiffRow] = []
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    groups = list(matcher.get_grouped_opcodes(context))
    for group_index, group in enumerate(groups):
        if group_index or group[0][1] > 0 or group[0][3] > 0:
            rows.append(DiffRow("skip", None, "", None, ""))
        for tag, i1, i2, j1, j2 in group:
            for offset in range(max(i2 - i1, j2 - j1)):
                i, j = i1 + offset, j1 + offset
                rows.append(
                    DiffRow(
                        tag,
                        i + 1 if i < i2 else None,
                        before[i] if i < i2 else "",
                        j + 1 if j < j2 else None,
                        after[j] if j < j2 else "",
                    )
                )
    if groups and (groups[-1][-1][2] < len(before) or groups[-1][-1][4] < len(after)):
        rows.append(DiffRow("skip", None, "", None, ""))
    return tuple(rows)
