"""Benchmark scripts that print a table of measured figures (see docs/benchmarks.md).

Run them as modules from the repository root, for example
`.venv/bin/python -m benchmarks.queue`: run as files, this folder would come
first on the import path, where queue.py would stand in for the standard
library's queue module.
"""
