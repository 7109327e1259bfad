"""What people see: resource descriptions and pages, the home page, counts, tables and the explorer.

Every module here reads a :class:`~migkg.stores.base.Backend` and returns typed values; the web layer
(:mod:`migkg.web`) and the CLI only lay them out.
"""
