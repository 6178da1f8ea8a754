"""How fast this machine is today, printed by the benchmarks beside their figures.

The same code has run 1.7-2.5x slower on one day's machine than on another's, so an absolute
figure means little without this yardstick: compare runs only where it is close.
"""

import statistics
import time


def yardstick(cursor=None) -> str:
    """One line: a pure-Python loop's time and, given a database cursor, the median `SELECT 1` round trip."""
    started = time.perf_counter()
    total = 0
    for number in range(10_000_000):
        total += number
    line = f"machine: 10,000,000 Python additions in {time.perf_counter() - started:.2f} s"
    if cursor is not None:
        trips = []
        for _ in range(1000):
            began = time.perf_counter()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            trips.append(time.perf_counter() - began)
        line += f"; SELECT 1 round trip {statistics.median(trips) * 1000:.3f} ms (median of 1,000)"
    return line
