"""pydis-dash: Python Discord's dashboards, saved questions and alerts as code.

The pipeline is ``load -> render -> validate -> plan -> apply``; each stage is its own module
(:mod:`pydis_dash.load`, :mod:`pydis_dash.render`, :mod:`pydis_dash.validate`,
:mod:`pydis_dash.plan`, :mod:`pydis_dash.apply`) and each target (Grafana, Metabase) is a provider
package under :mod:`pydis_dash.providers`.
"""

__version__ = "0.1.0"
