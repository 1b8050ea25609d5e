"""Authoring Metabase saved questions: ``Question`` and the variables staff fill in.

    from pydis_dash.metabase import Question, TextVariable

    question = Question(
        key="nominee-channels",
        name="Channels a nominee frequents",
        collection="Moderation/Nominations",
        database="Metricity",
        sql="nominee_channels.sql",
        variables=[TextVariable("user_id", "User ID", required=True)],
        display="bar",
    )

See ``docs/metabase.md``.
"""

from __future__ import annotations

from pydis_dash.metabase.question import Question
from pydis_dash.metabase.variables import (
    BooleanVariable,
    DateVariable,
    FieldFilter,
    NumberVariable,
    TextVariable,
    Variable,
)

__all__ = [
    "BooleanVariable",
    "DateVariable",
    "FieldFilter",
    "NumberVariable",
    "Question",
    "TextVariable",
    "Variable",
]
