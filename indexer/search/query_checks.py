"""Gone: the query language is parsed by indexer.search.query_language.

Kept only so that manage.py's `from indexer.search.query_checks import QueryError` works
until it imports QueryError from indexer.search.query_language; then delete this file.
"""
from indexer.search.query_tree import QueryError

__all__ = ["QueryError"]
