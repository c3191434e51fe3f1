"""Crawling Swedish public-sector websites: settings, spiders, sample sites and the CLI."""
