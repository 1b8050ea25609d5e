"""Variables staff fill in on a question: each becomes a Metabase template tag and a card parameter.

``TextVariable``, ``NumberVariable``, ``DateVariable`` and ``BooleanVariable`` are substituted as values
(``WHERE author_id = {{user_id}}``); a :class:`FieldFilter` is bound to a Metricity ``table.column`` and
Metabase writes the whole condition (``WHERE {{channel}}``), offering a dropdown of the column's values.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, ClassVar

from pydis_dash.definition import caller_location
from pydis_dash.errors import DefinitionError
from pydis_dash.metabase.template import IDENTIFIER

# Tag ids must be UUIDs that stay the same across deploys (Metabase links the card's parameters to them
# and dashboards link to the parameters). Deriving them from the question key and the variable name
# keeps them stable without storing anything.
TAG_ID_NAMESPACE = uuid.UUID("6f3c1f0e-5d1b-5b8e-9f43-9a7e1d2c4b10")

# The widget types Metabase offers for field filters (``metabase.lib.schema.parameter/types``).
FIELD_FILTER_WIDGETS = frozenset(
    {
        "category",
        "id",
        "none",
        "string/=",
        "string/!=",
        "string/contains",
        "string/does-not-contain",
        "string/starts-with",
        "string/ends-with",
        "number/=",
        "number/!=",
        "number/between",
        "number/>=",
        "number/<=",
        "date/single",
        "date/range",
        "date/relative",
        "date/month-year",
        "date/quarter-year",
        "date/all-options",
    }
)


class VariableError(DefinitionError, ValueError):
    """A variable is declared wrong; reported at the author's line (and still a ``ValueError``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, caller_location())


def tag_id(question_key: str, variable_name: str) -> str:
    """The stable template-tag id of one variable of one question."""
    return str(uuid.uuid5(TAG_ID_NAMESPACE, f"{question_key}/{variable_name}"))


@dataclass(frozen=True)
class Variable:
    """Common part of every variable: ``name`` as written in ``{{name}}``, the ``label`` staff see,
    whether a value is ``required`` and a ``default`` used when the widget is left empty."""

    name: str
    label: str | None = None
    required: bool = dataclass_field(default=False, kw_only=True)
    default: Any = dataclass_field(default=None, kw_only=True)
    # The template tag's id; by default derived from the question key and the name. ``import`` keeps the
    # id of an existing card, which Metabase dashboards link their filters to.
    id: str | None = dataclass_field(default=None, kw_only=True)

    tag_type: ClassVar[str] = "text"
    parameter_type: ClassVar[str] = "category"

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not IDENTIFIER.fullmatch(self.name):
            raise VariableError(f"variable name {self.name!r} must be an identifier (letters, digits and _)")
        if self.label is not None and not self.label.strip():
            raise VariableError(f"variable {self.name!r}: label must not be blank")
        self._check_default()

    def _check_default(self) -> None:
        """Subclasses reject defaults of the wrong type, so a typo fails at build time, not in Metabase."""

    @property
    def display_name(self) -> str:
        """The label shown on the filter widget (the name, humanised, when no label was given)."""
        return self.label or self.name.replace("_", " ").capitalize()

    def default_json(self) -> Any:
        """The default as Metabase stores it."""
        return self.default

    def tag(self, question_key: str) -> dict[str, Any]:
        """The template tag (legacy shape) for this variable."""
        return {
            "id": self.id or tag_id(question_key, self.name),
            "name": self.name,
            "display-name": self.display_name,
            "type": self.tag_type,
            "required": self.required,
            "default": self.default_json(),
        }

    def parameter(self, question_key: str) -> dict[str, Any]:
        """The card parameter that exposes the tag as a filter widget."""
        parameter: dict[str, Any] = {
            "id": self.id or tag_id(question_key, self.name),
            "type": self.parameter_type,
            "target": ["variable", ["template-tag", self.name]],
            "name": self.display_name,
            "slug": self.name,
        }
        if self.required:
            parameter["required"] = True
        if self.default is not None:
            parameter["default"] = self.default_json()
        return parameter


@dataclass(frozen=True)
class TextVariable(Variable):
    """A text value substituted quoted: ``WHERE users.id = {{user_id}}``."""

    tag_type: ClassVar[str] = "text"
    parameter_type: ClassVar[str] = "category"

    def _check_default(self) -> None:
        if self.default is not None and not isinstance(self.default, str):
            raise VariableError(f"variable {self.name!r}: a TextVariable default must be a string")


@dataclass(frozen=True)
class NumberVariable(Variable):
    """A number substituted as a literal: ``LIMIT {{top}}``."""

    tag_type: ClassVar[str] = "number"
    parameter_type: ClassVar[str] = "number/="

    def _check_default(self) -> None:
        if self.default is not None and (isinstance(self.default, bool) or not isinstance(self.default, int | float)):
            raise VariableError(f"variable {self.name!r}: a NumberVariable default must be a number")


@dataclass(frozen=True)
class DateVariable(Variable):
    """A date substituted as a timestamp literal: ``WHERE created_at >= {{since}}``.

    ``default`` may be a :class:`datetime.date` or an ISO ``YYYY-MM-DD`` string.
    """

    tag_type: ClassVar[str] = "date"
    parameter_type: ClassVar[str] = "date/single"

    def _check_default(self) -> None:
        if self.default is None or isinstance(self.default, dt.date):
            return
        if isinstance(self.default, str):
            try:
                dt.date.fromisoformat(self.default)
                return
            except ValueError:
                pass
        raise VariableError(f"variable {self.name!r}: a DateVariable default must be a date or 'YYYY-MM-DD'")

    def default_json(self) -> Any:
        if isinstance(self.default, dt.date):
            return self.default.isoformat()
        return self.default


@dataclass(frozen=True)
class BooleanVariable(Variable):
    """A true/false value substituted as a literal: ``WHERE channels.is_staff = {{include_staff}}``.

    Boolean variables were added to Metabase in July 2025 (metabase#60991); older instances reject
    the tag type on save.
    """

    tag_type: ClassVar[str] = "boolean"
    parameter_type: ClassVar[str] = "boolean/="

    def _check_default(self) -> None:
        if self.default is not None and not isinstance(self.default, bool):
            raise VariableError(f"variable {self.name!r}: a BooleanVariable default must be True or False")


@dataclass(frozen=True)
class FieldFilter(Variable):
    """A filter bound to a column: the SQL says ``WHERE {{channel}}`` and Metabase writes the condition.

    ``field`` is ``table.column`` in the question's database (e.g. ``channels.name``); it is resolved to
    Metabase's field id at deploy time. ``widget_type`` is the widget staff get (``string/=``,
    ``date/all-options``, ``number/between``, ...).
    """

    field: str = ""
    widget_type: str = "string/="

    tag_type: ClassVar[str] = "dimension"

    def _check_default(self) -> None:
        table, dot, column = self.field.partition(".")
        if not (dot and IDENTIFIER.fullmatch(table) and IDENTIFIER.fullmatch(column)):
            raise VariableError(f"field filter {self.name!r}: field must be 'table.column', got {self.field!r}")
        if self.widget_type not in FIELD_FILTER_WIDGETS:
            raise VariableError(
                f"field filter {self.name!r}: unknown widget_type {self.widget_type!r}; "
                f"one of {', '.join(sorted(FIELD_FILTER_WIDGETS))}"
            )

    @property
    def table(self) -> str:
        """The table part of ``field``."""
        return self.field.partition(".")[0]

    @property
    def column(self) -> str:
        """The column part of ``field``."""
        return self.field.partition(".")[2]

    def tag(self, question_key: str) -> dict[str, Any]:
        """The tag; ``dimension`` holds ``table.column`` until deploy swaps in the field id."""
        tag = super().tag(question_key)
        tag["dimension"] = ["field", self.field, None]
        tag["widget-type"] = self.widget_type
        return tag

    def parameter(self, question_key: str) -> dict[str, Any]:
        """Field filters target the dimension, and their parameter type is the widget type."""
        parameter = super().parameter(question_key)
        parameter["type"] = self.widget_type
        parameter["target"] = ["dimension", ["template-tag", self.name]]
        return parameter
