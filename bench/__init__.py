"""Benchmarks: `make bench` (or `python -m bench <name>`) prints the figures quoted in the closing notes."""
