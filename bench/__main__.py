"""``make bench``: run every benchmark in turn (each also runs alone: ``python -m bench.<name>``)."""

from __future__ import annotations

from bench import event_latency, growth, hj212, ingest, memory, open_series, public_api

BENCHMARKS = [event_latency, ingest, public_api, hj212, memory, growth, open_series]


def main() -> None:
    for module in BENCHMARKS:
        print(f"== {module.__name__}")
        module.main([])


if __name__ == "__main__":
    main()
