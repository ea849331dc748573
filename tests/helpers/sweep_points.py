"""Module-level point functions for the sweep fault-injection tests (picklable for worker processes)."""

import os
import time


def square(x):
    return x * x


def fails_at_three(x):
    if x == 3:
        raise ValueError(f"point {x} is broken")
    return {"value": float(x * x)}


def dies_at_three(x):
    if x == 3:
        os._exit(17)
    return {"value": float(x * x)}


def slow(x):
    time.sleep(0.4 + 0.1 * (x % 2))
    return {"value": float(x * x)}
