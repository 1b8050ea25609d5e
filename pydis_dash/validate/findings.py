"""What every check in ``validate`` reports: a :class:`Finding` pointing back at the definition."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from pydis_dash.model import Ref, Resource, SourceLocation


class Severity(StrEnum):
    """Errors fail ``validate``; warnings fail it only with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """One problem found in one resource.

    ``rule`` is a lint rule id (``PD101``) or an engine/schema check id (``SCHEMA``, ``SQL``,
    ``PROMQL``, ``GRAPHITE``). ``json_path`` is a JSON pointer into the rendered body; ``location`` is
    the definition's file and line that produced that part (see ``Resource.location_of``).
    """

    rule: str
    severity: Severity
    message: str
    ref: Ref | None = None
    location: SourceLocation | None = None
    json_path: str = ""
    panel: str | None = None
    ref_id: str | None = None

    @classmethod
    def at(
        cls,
        resource: Resource,
        pointer: str,
        rule: str,
        severity: Severity,
        message: str,
        *,
        panel: str | None = None,
        ref_id: str | None = None,
    ) -> Finding:
        """A finding at JSON pointer ``pointer`` of ``resource``, located at the definition line behind it."""
        return cls(
            rule=rule,
            severity=severity,
            message=message,
            ref=resource.ref,
            location=resource.location_of(pointer),
            json_path=pointer,
            panel=panel,
            ref_id=ref_id,
        )

    def headline(self) -> str:
        """``file:line: [RULE] panel 'x' (A): message`` as shown to authors."""
        where = f"{self.location}: " if self.location else ""
        what = f"panel '{self.panel}'" if self.panel else (str(self.ref) if self.ref else "")
        if self.ref_id:
            what += f" ({self.ref_id})"
        what = f"{what}: " if what else ""
        return f"{where}{self.severity.value} {self.rule}: {what}{self.message}"
