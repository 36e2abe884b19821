"""Benchmarks (make bench): measured, never asserted. See README, Performance."""
