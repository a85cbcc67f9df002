"""Stored timeseries data."""
