"""migkg: an open knowledge graph of migration governance instruments."""

__version__ = "0.2.0"
