"""Shared cocotb/pytest helpers for the RTL tests (runner, stream driver, packing)."""
