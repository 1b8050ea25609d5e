"""Deploying saved questions to Metabase: client, normalisation, and one handler per resource kind.

:func:`~pydis_dash.providers.metabase.provider.metabase_provider` builds the provider for an
environment; :mod:`.collections` and :mod:`.cards` are the handlers (sharing the card listing of
:mod:`.listing`); :mod:`.normalize` makes live and desired cards comparable and computes the digest that
tells pydis-dash's writes from edits made in the UI.
"""
