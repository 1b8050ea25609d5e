"""Escape hatches for JSON the helpers do not express: a panel or a variable written as Grafana's JSON.

``import`` writes these for panels of unknown plugins or shapes no helper reproduces exactly; authors
may use them too. The JSON goes through the same modernisation as every other panel, so a legacy
field is still converted or dropped, and the panel is still laid out like the others.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attr

from pydis_dash.definition import caller_location
from pydis_dash.errors import DefinitionError
from pydis_dash.grafana.panels import Panel
from pydis_dash.render.layout import GridPos


@attr.s(frozen=True, auto_attribs=True)
class RawJson:
    """JSON rendered as given; ``gridPos`` is set by the dashboard's layout (hence an attrs class)."""

    json: Mapping[str, Any]
    gridPos: Any = None

    def to_json_data(self) -> dict[str, Any]:
        """The JSON, with the position the layout gave it."""
        data = dict(self.json)
        if self.gridPos is not None:
            data["gridPos"] = self.gridPos
        return data


def raw_panel(
    json: Mapping[str, Any],
    *,
    width: int | None = None,
    height: int | None = None,
    grid_pos: tuple[int, int, int, int] | None = None,
) -> Panel:
    """A panel given as Grafana JSON (any plugin); laid out like the helpers' panels.

    ``gridPos`` in ``json`` is ignored: pass ``width``/``height`` or ``grid_pos=(x, y, w, h)`` with
    ``y`` relative to the row's top, as for every other panel.
    """
    where = caller_location()
    if not isinstance(json, Mapping) or not (isinstance(json.get("type"), str) or "libraryPanel" in json):
        raise DefinitionError('raw_panel needs a JSON object with a "type" (the plugin id) or a "libraryPanel"', where)
    title = json.get("title", "")
    pinned = None
    if grid_pos is not None:
        if not isinstance(grid_pos, list | tuple) or len(grid_pos) != 4 or not all(type(v) is int for v in grid_pos):
            raise DefinitionError(
                f"grid_pos must be (x, y, w, h) in grid cells, not {grid_pos!r}", where, f"panel {title!r}"
            )
        pinned = GridPos(*grid_pos)
    body = {key: value for key, value in json.items() if key != "gridPos"}
    return Panel(RawJson(body), width=width, height=height, grid_pos=pinned, defined_at=where)


def raw_variable(json: Mapping[str, Any]) -> RawJson:
    """A template variable given as Grafana JSON (``{"type": "query", "name": ..., ...}``)."""
    if not isinstance(json, Mapping) or not isinstance(json.get("name"), str):
        raise DefinitionError('raw_variable needs a JSON object with a "name"', caller_location())
    return RawJson(dict(json))
