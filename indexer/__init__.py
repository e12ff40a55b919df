"""Enrich, store and index Documents; the only package that talks to SQLite and Whoosh."""
