"""The collector pause around diff/deploy: off inside, restored as it was after, even on an error."""

from __future__ import annotations

import gc

import pytest

from pydis_dash.gc_pause import collector_paused


def test_the_collector_is_off_inside_and_back_on_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_after_an_error() -> None:
    with pytest.raises(RuntimeError), collector_paused():
        raise RuntimeError("boom")
    assert gc.isenabled()


def test_a_collector_switched_off_before_stays_off() -> None:
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_freeze_after_leaves_what_the_block_made_to_the_permanent_generation() -> None:
    made: list[object] = []
    try:
        with collector_paused(freeze_after=True):
            made.extend([n] for n in range(1000))
        assert gc.get_freeze_count() >= 1000 and gc.isenabled()
    finally:
        gc.unfreeze()
