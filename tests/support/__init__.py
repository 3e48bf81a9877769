"""Test helpers (imported as `support.<module>`; tests/ is on pytest's pythonpath)."""
