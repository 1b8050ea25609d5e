"""``pull``: bring a live edit made in the UI back into the definition files.

:mod:`.changes` tells, per drifted dashboard, which values the edit changed and which of them are
literals of a helper call (:mod:`.edits` rewrites those in place with libcst, keeping comments and
formatting); :mod:`.run` is the use case: plan, edit, rebuild, and list what could not be mapped.
"""
