"""``BotDashboard``: a dashboard over statsd metrics written once, rendered for every store."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from pydis_dash.definition import Definition, RenderContext
from pydis_dash.errors import DefinitionError
from pydis_dash.grafana.bot.stores import BotStore
from pydis_dash.grafana.dashboard import Dashboard
from pydis_dash.model import Resource


@dataclass(frozen=True)
class BotDashboard(Definition):
    """A dashboard written once as ``build(store) -> Dashboard``, rendered for every store in ``stores``.

    The project says which stores it has: ``BotDashboard(build, stores=(GraphiteStore("graphite",
    prefix="app"), ...))``, or, to use it as a decorator, a subclass in its helper module whose
    ``stores`` default to its own. The Graphite variant keeps the uid and title; the Prometheus one gets
    ``-prom`` and `` (Prometheus)``; each gets its store's name as a tag.
    """

    build: Callable[[BotStore], Dashboard]
    stores: tuple[BotStore, ...] = ()
    dashboards: tuple[Dashboard, ...] = field(init=False)

    def __post_init__(self) -> None:
        if not self.stores:
            raise DefinitionError(
                "no stores: pass stores=(GraphiteStore(...), PrometheusStore(...)) or subclass with default stores",
                self.defined_at,
                "BotDashboard",
            )
        # Built at load time, so a mistake in `build` is reported at the author's line straight away.
        object.__setattr__(self, "dashboards", tuple(store.adapt(self.build(store)) for store in self.stores))

    @property
    def identity(self) -> str:
        """``bot dashboard 'bot-help' (+ 'bot-help-prom')``."""
        first, *others = (dashboard.uid for dashboard in self.dashboards)
        return f"bot dashboard {first!r}" + "".join(f" (+ {uid!r})" for uid in others)

    def render(self, ctx: RenderContext) -> list[Resource]:
        """The resources of every store's dashboard (their shared folder comes once per dashboard)."""
        return [resource for dashboard in self.dashboards for resource in dashboard.render(ctx)]
