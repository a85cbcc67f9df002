"""Sluis: an open-source intake service implementing the Nexus sync-task upload API."""

__version__ = "0.1.0"
