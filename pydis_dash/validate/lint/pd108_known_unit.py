"""PD108: units are units Grafana knows."""

from __future__ import annotations

import difflib
import functools
from collections.abc import Iterable, Iterator, Mapping
from importlib import resources
from typing import Any

from pydis_dash.validate.findings import Finding
from pydis_dash.validate.lint.base import LintContext, PanelNode, Rule, register

# Custom unit forms Grafana's ``getValueFormat`` understands (packages/grafana-data/src/valueFormats/
# valueFormats.ts): ``suffix:<text>``, ``prefix:<text>``, ``si:<unit>``, ``count:<unit>``,
# ``currency:<symbol>``, ``time:<format>``, ``bool:<true>/<false>``.
CUSTOM_PREFIXES = ("suffix:", "prefix:", "si:", "count:", "currency:", "time:", "bool:")


@functools.cache
def known_units() -> frozenset[str]:
    """Grafana's unit ids (``pydis_dash/schemas/units.txt``)."""
    text = (resources.files("pydis_dash") / "schemas" / "units.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def is_known_unit(unit: str) -> bool:
    """True for a Grafana unit id or a custom ``prefix:value`` form."""
    if unit in known_units():
        return True
    return any(unit.startswith(prefix) and len(unit) > len(prefix) for prefix in CUSTOM_PREFIXES)


@register
class KnownUnit(Rule):
    """Grafana shows an unknown unit id as a literal suffix ("42 secs"), so a typo goes unnoticed
    instead of formatting values (and scaling them: ms -> s -> min)."""

    id = "PD108"
    rationale = "Units are Grafana unit ids, or an explicit custom form like suffix:req or currency:EUR."

    def check_panel(self, ctx: LintContext, panel: PanelNode) -> Iterable[Finding]:
        """The default unit and every unit override of the panel."""
        for pointer, unit in _units(panel.panel):
            if not is_known_unit(unit):
                yield self.finding(panel.dashboard, panel.pointer + pointer, _message(unit), panel=panel.title)


def _message(unit: str) -> str:
    close = difflib.get_close_matches(unit, sorted(known_units()), n=1, cutoff=0.75)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"unknown unit {unit!r}; {hint}write suffix:{unit} for a free-text unit"


def _units(panel: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    field_config = panel.get("fieldConfig")
    if not isinstance(field_config, Mapping):
        return
    defaults = field_config.get("defaults")
    if isinstance(defaults, Mapping) and isinstance(defaults.get("unit"), str) and defaults["unit"]:
        yield "/fieldConfig/defaults/unit", defaults["unit"]
    overrides = field_config.get("overrides")
    for o_index, override in enumerate(overrides if isinstance(overrides, list) else []):
        properties = override.get("properties") if isinstance(override, Mapping) else None
        for p_index, prop in enumerate(properties if isinstance(properties, list) else []):
            if isinstance(prop, Mapping) and prop.get("id") == "unit" and isinstance(prop.get("value"), str):
                yield f"/fieldConfig/overrides/{o_index}/properties/{p_index}/value", prop["value"]
