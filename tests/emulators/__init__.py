"""In-process HTTP emulators of the servers pydis-dash talks to (Grafana, Metabase), for tests.

:mod:`tests.emulators.http` is the generic part (threaded server, request log, fault injection);
each emulator module adds its routes and state.
"""
