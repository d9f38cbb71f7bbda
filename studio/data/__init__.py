"""Datasets: loading files and hub ids, mapping columns, converting shapes, checking rows, token statistics.

`inspect_dataset` is the entry point (see validation.py); `measure_tokens` adds token statistics (tokens.py).
"""

from .report import DatasetReport, Finding
from .validation import inspect_dataset, to_dataset

__all__ = ["DatasetReport", "Finding", "inspect_dataset", "to_dataset"]
