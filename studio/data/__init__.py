"""Datasets: loading files, detecting and converting shapes, and checking rows (see `inspect_dataset`)."""

from .report import DatasetReport, Finding
from .validation import inspect_dataset, to_dataset

__all__ = ["DatasetReport", "Finding", "inspect_dataset", "to_dataset"]
