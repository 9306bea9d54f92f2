"""Sweep grids: one base request and up to three axes of values, a job per cell (plan.py), the
cells' state and the whole grid as one MP4 (service.py, grid.py)."""
