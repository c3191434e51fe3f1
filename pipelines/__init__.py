"""Turning a fetched page into facts, and facts into archive rows."""
