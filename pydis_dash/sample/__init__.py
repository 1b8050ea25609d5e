"""Sample data for the throwaway engines: what ``validate --execute`` and the preview run queries on.

A data source declares a generator module (``check.sample_data``, e.g. ``datasources/metricity/_sample.py``).
The tool knows nothing of what the module generates; it only calls its ``generate`` function:

.. code-block:: python

    def generate(ctx: SampleContext) -> Mapping[str, Sequence[Mapping[str, object]]]:
        '''table name -> rows (column name -> value), in insertion order (parents before children).'''

``ctx.seed`` and ``ctx.now`` are the only inputs: the same seed and ``now`` give the same rows, so a
test can compute what a panel should show, and a screenshot is stable. ``ctx.rng(name)`` gives an
independent random stream per name, so adding a table does not reshuffle the others.
"""

from __future__ import annotations

import hashlib
import importlib.util
import random
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from pydis_dash.errors import DefinitionError
from pydis_dash.model import SourceLocation

DEFAULT_SEED = 1
"""The seed used when none is given: every run of the tool sees the same sample data."""

Rows = Sequence[Mapping[str, Any]]
Tables = Mapping[str, Rows]
Generator = Callable[["SampleContext"], Tables]


@dataclass(frozen=True)
class SampleContext:
    """What a generator may depend on: a seed, the moment "now" is, and how many days to cover."""

    seed: int = DEFAULT_SEED
    now: datetime = datetime(2024, 1, 1, tzinfo=UTC)
    days: int = 90

    @property
    def start(self) -> datetime:
        """The first moment the sample data covers (``now - days``)."""
        return self.now - timedelta(days=self.days)

    def rng(self, name: str) -> random.Random:
        """A random stream for ``name``, independent of every other name, fixed by the seed."""
        digest = hashlib.sha256(f"{self.seed}:{name}".encode()).digest()
        return random.Random(int.from_bytes(digest[:8], "big"))


def sample_now(moment: datetime | None = None) -> datetime:
    """``now`` for sample data: the current UTC time truncated to the hour.

    Queries compare with ``now()`` and dashboards show "the last 7 days", so the data must end at the
    real present; truncating keeps it identical for a whole hour (two runs, one picture).
    """
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def load_generator(path: Path) -> Generator:
    """The ``generate`` function of the generator module at ``path``.

    Raises :class:`DefinitionError` naming the file when it is missing, fails to import or has no
    ``generate`` function.
    """
    where = SourceLocation(path)
    if not path.is_file():
        raise DefinitionError("sample data generator not found", where)
    digest = hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    module_name = f"_pydis_dash_sample_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise DefinitionError("sample data generator cannot be imported", where)
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:  # the author's code: any error is theirs to see
        sys.modules.pop(module_name, None)
        raise DefinitionError(f"sample data generator failed to import: {type(exc).__name__}: {exc}", where) from exc
    generate = getattr(module, "generate", None)
    if not callable(generate):
        raise DefinitionError("sample data generator has no `generate(ctx)` function", where)
    return cast(Generator, generate)


def generate_tables(path: Path, context: SampleContext) -> Tables:
    """Run the generator at ``path``; a generator that raises or returns a wrong shape is a DefinitionError."""
    where = SourceLocation(path)
    try:
        tables = load_generator(path)(context)
    except DefinitionError:
        raise
    except Exception as exc:  # the author's code
        raise DefinitionError(f"sample data generator failed: {type(exc).__name__}: {exc}", where) from exc
    if not isinstance(tables, Mapping):
        raise DefinitionError("generate(ctx) must return a mapping of table name -> rows", where)
    return tables
