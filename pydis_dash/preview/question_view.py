"""A Metabase saved question as the preview page shows it: SQL, its variables as form fields, display."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from pydis_dash.conventions.metabase import without_marker
from pydis_dash.model import Resource
from pydis_dash.preview.fragments import sql_view
from pydis_dash.validate.findings import Finding
from pydis_dash.validate.queries import TemplateSyntax

# The HTML input that stands in for each Metabase tag type's filter widget.
_INPUT_TYPES = {"text": "text", "number": "number", "date": "date", "boolean": "checkbox", "dimension": "text"}


@dataclass(frozen=True)
class FieldView:
    """One variable as a form field: the widget staff fill in when they run the question."""

    name: str
    label: str
    tag_type: str
    input_type: str
    default: str
    checked: bool
    required: bool
    widget: str | None
    field: str | None


@dataclass(frozen=True)
class QuestionView:
    """Everything the question page shows."""

    name: str
    display: str
    database: str
    description: str
    sql: Markup
    fields: tuple[FieldView, ...]
    findings: tuple[Finding, ...]


def question_view(resource: Resource, findings: Sequence[Finding]) -> QuestionView:
    """The question page's content for a ``metabase-question`` resource."""
    body = resource.body
    dataset_query = body.get("dataset_query")
    native = dataset_query.get("native") if isinstance(dataset_query, Mapping) else None
    native = native if isinstance(native, Mapping) else {}
    query = native.get("query")
    tags = native.get("template-tags")
    database = dataset_query.get("database") if isinstance(dataset_query, Mapping) else None
    description = body.get("description")
    return QuestionView(
        name=str(body.get("name") or resource.title),
        display=str(body.get("display") or "table"),
        database=str(database) if database is not None else "?",
        description=without_marker(description if isinstance(description, str) else None),
        sql=sql_view(query if isinstance(query, str) else "", TemplateSyntax.METABASE),
        fields=tuple(
            _field(tag) for tag in (tags.values() if isinstance(tags, Mapping) else ()) if isinstance(tag, Mapping)
        ),
        findings=tuple(findings),
    )


def _field(tag: Mapping[str, Any]) -> FieldView:
    tag_type = str(tag.get("type") or "text")
    default = tag.get("default")
    dimension = tag.get("dimension")
    field = dimension[1] if isinstance(dimension, list) and len(dimension) > 1 else None
    widget = tag.get("widget-type")
    return FieldView(
        name=str(tag.get("name") or "?"),
        label=str(tag.get("display-name") or tag.get("name") or "?"),
        tag_type=tag_type,
        input_type=_INPUT_TYPES.get(tag_type, "text"),
        default="" if default is None or isinstance(default, bool) else str(default),
        checked=default is True,
        required=bool(tag.get("required")),
        widget=str(widget) if widget else None,
        field=str(field) if field is not None else None,
    )
