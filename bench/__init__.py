"""Benchmarks and the design-space report (docs/results.md): ``make bench``, ``make engine-bench``,
``python -m bench.choose``."""
