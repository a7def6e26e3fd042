"""Load and latency measurements, run by hand (`python -m benchmarks.run`), never in tests."""
