"""Datasets: loading files and hub ids, mapping columns, converting shapes, checking rows, token statistics.

`inspect_dataset` is the entry point (see validation.py; `inspect_file` also hands back the rows it skipped);
`measure_tokens` adds token statistics (tokens.py).
"""

from .report import DatasetReport, Finding
from .validation import inspect_dataset, inspect_file, to_dataset

__all__ = ["DatasetReport", "Finding", "inspect_dataset", "inspect_file", "to_dataset"]
