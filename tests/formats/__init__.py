"""Tests of the format registry and of adding a format."""
