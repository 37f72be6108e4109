"""Benchmarks: scripts that print figures and write them to bench/results/<name>.json. Never run in CI."""
