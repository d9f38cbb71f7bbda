"""Evaluation: base vs aligned generations from one model (adapter off / on)."""
