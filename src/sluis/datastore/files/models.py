"""Stored files data."""
