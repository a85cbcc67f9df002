"""The read-ahead thread of the timeseries readers keeps order, errors and early stops."""

import pytest

from sluis.readers.timeseries.prefetch import prefetched


def test_items_arrive_in_order():
    assert list(prefetched(iter(range(100)), depth=2)) == list(range(100))


def test_an_error_in_the_reader_reaches_the_consumer_after_the_items_before_it():
    def items():
        yield 1
        raise ValueError("broken line")

    seen = []
    with pytest.raises(ValueError, match="broken line"):
        for item in prefetched(items()):
            seen.append(item)
    assert seen == [1]


def test_a_consumer_that_stops_early_closes_the_reader():
    closed = []

    def items():
        try:
            yield from range(1000)
        finally:
            closed.append(True)

    for item in prefetched(items(), depth=1):
        if item == 3:
            break
    assert closed == [True]
