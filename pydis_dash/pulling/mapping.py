"""What every kind's pull shares: the edits planned for one definition file, and the way a live value
is written into a call's argument (only where the argument is a literal or absent; a query naming a
``.sql`` file gets the file rewritten instead).

Each kind's module (:mod:`.dashboards`, :mod:`.cards`, :mod:`.rule_groups`) compares the desired and
the live state of one drifted resource, maps the differences it knows onto arguments of the calls that
define it, and lists the rest as not mappable, with the live JSON to paste.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydis_dash.definition import names_sql_file
from pydis_dash.pulling.edits import OPAQUE, CallEdit, CallSite, Position

#: A key or index path into a JSON value.
Path_ = Sequence[str | int]


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"


#: What :func:`get_path` answers for a path that leads nowhere (distinct from a JSON ``null``).
MISSING: Any = _Missing()


@dataclass
class FilePull:
    """The edits of one definition file, the ``.sql`` files to rewrite (beside it), and what could not be
    mapped to the code: ``(what, live JSON)``."""

    folder: Path
    edits: dict[Position, CallEdit] = field(default_factory=dict)
    sql_files: dict[Path, str] = field(default_factory=dict)
    unmapped: list[tuple[str, Any]] = field(default_factory=list)

    def edit(self, position: Position) -> CallEdit:
        """The edit of the call starting at ``position`` (created on first use)."""
        return self.edits.setdefault(position, CallEdit(*position))

    def set_argument(self, site: CallSite, name: str, index: int | None, value: Any, *, query: bool = False) -> bool:
        """Write ``value`` as argument ``name`` (or positional ``index``) of the call at ``site``.

        A literal argument is replaced and an absent one added as a keyword; with ``query``, an argument
        naming a ``.sql`` file has that file rewritten instead. False (nothing changed) when the argument
        is an expression that is not a literal: the value comes from elsewhere (a constant, a helper) and
        only the author can tell where to change it.
        """
        current = site.value(name, index)
        if current is OPAQUE:
            return False
        if query and isinstance(current, str) and names_sql_file(current):
            self.sql_files[self.folder / current.strip()] = f"{value}\n"
            return True
        edit = self.edit(site.position)
        if name in site.keywords or index is None or index >= len(site.positional):
            edit.keywords[name] = value
        else:
            edit.positional[index] = value
        return True

    def remove_argument(self, site: CallSite, name: str) -> bool:
        """Drop keyword argument ``name`` from the call at ``site`` (False unless it is passed by keyword)."""
        if name not in site.keywords:
            return False
        self.edit(site.position).removed.add(name)
        return True


def get_path(data: Any, path: Path_) -> Any:
    """The value at ``path`` in ``data``, or :data:`MISSING`."""
    for step in path:
        in_list = isinstance(step, int) and isinstance(data, list) and -len(data) <= step < len(data)
        if in_list or (isinstance(step, str) and isinstance(data, Mapping) and step in data):
            data = data[step]
        else:
            return MISSING
    return data


def put_path(data: Any, path: Path_, value: Any) -> None:
    """Set the key ``path`` ends in, in the mapping the rest of ``path`` leads to (which must exist);
    :data:`MISSING` deletes the key."""
    *parents, last = path
    target = data
    for step in parents:
        target = target[step]
    if not isinstance(target, dict):
        return
    if value is MISSING:
        target.pop(last, None)
    else:
        target[last] = value


class Leftover:
    """The live state with every difference mapped to the code put back to the desired value: whatever
    still differs from the desired state is what could not be mapped."""

    def __init__(self, desired: Any, live: Any) -> None:
        self.desired = desired
        self.state = copy.deepcopy(live)

    def mapped(self, path: Path_) -> None:
        """The difference at ``path`` is now in the code."""
        if get_path(self.state, path[:-1]) is not MISSING:
            put_path(self.state, path, get_path(self.desired, path))

    @property
    def complete(self) -> bool:
        """True when every difference was mapped."""
        return bool(self.state == self.desired)
