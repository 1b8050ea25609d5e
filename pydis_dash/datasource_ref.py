"""A data source that authoring helpers name by uid or name, resolved when the definition renders.

``sql("metricity")`` or ``prometheus_rule(..., datasource="Prometheus")`` name one of the project's data
sources; nothing in the package knows which exist. Rendering resolves the name against the project's
data sources (see :class:`~pydis_dash.definition.RenderContext`), and a name that does not resolve, or a
source of a plugin type the helper cannot query, is an error at the author's line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# ``$ds``, ``${ds}``, ``${ds:format}`` or the deprecated ``[[ds]]``: Grafana's ways of naming a variable.
_VARIABLE = re.compile(r"\$(?P<plain>\w+)|\$\{(?P<braced>\w+)(?::[^}]+)?\}|\[\[(?P<bracket>\w+)(?::\w+)?\]\]")


def variable_name(text: str) -> str | None:
    """The template variable ``text`` names in full (``$ds``, ``${ds}``, ``[[ds]]`` -> ``ds``), or None.

    A data source given so is the one chosen on the dashboard (a ``datasource`` variable), not one of
    the project's.
    """
    match = _VARIABLE.fullmatch(text)
    return next((name for name in match.groups() if name), None) if match else None


class UnresolvedSource(ValueError):
    """The named data source is unknown, of the wrong type, or (unnamed) not the only candidate."""


@dataclass(frozen=True)
class SourceName:
    """A data source named by uid or name (``name``), for ``helper``, which queries ``plugin_types``.

    ``name=None`` means "the project's only data source of these types" (alert rule helpers).
    """

    name: str | None
    helper: str
    plugin_types: frozenset[str]

    def resolve(self, known: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
        """The ``{"type", "uid"}`` reference among ``known`` (name or uid -> reference).

        Raises :class:`UnresolvedSource` saying what to write instead.
        """
        if self.name is None:
            return self._only_one(known)
        ref = known.get(self.name)
        if ref is None:
            uids = sorted({str(r.get("uid")) for r in known.values()})
            raise UnresolvedSource(
                f"unknown data source {self.name!r} in {self.helper}(...) (known uids: {', '.join(uids) or 'none'})"
            )
        if self.plugin_types and ref.get("type") not in self.plugin_types:
            raise UnresolvedSource(
                f"data source {self.name!r} is of type {ref.get('type')!r}, which {self.helper}(...) cannot query"
            )
        return dict(ref)

    def problem(self, known: Mapping[str, Mapping[str, str]]) -> str | None:
        """Why this name does not resolve among ``known``, or None."""
        try:
            self.resolve(known)
        except UnresolvedSource as exc:
            return str(exc)
        return None

    def _only_one(self, known: Mapping[str, Mapping[str, str]]) -> dict[str, str]:
        candidates = {str(r.get("uid")): r for r in known.values() if r.get("type") in self.plugin_types}
        if len(candidates) == 1:
            return dict(next(iter(candidates.values())))
        found = f"the project has {len(candidates)}" + (f" ({', '.join(sorted(candidates))})" if candidates else "")
        raise UnresolvedSource(
            f"{self.helper}(...) needs datasource='uid' when there is not exactly one data source it can query: {found}"
        )
