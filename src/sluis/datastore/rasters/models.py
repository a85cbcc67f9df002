"""Stored rasters data."""
