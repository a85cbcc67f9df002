"""Stored vector data."""
