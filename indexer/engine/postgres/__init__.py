"""The PostgreSQL engine: the project's own analysis stored as `tsvector`s, searched in SQL.

schema.py holds the engine's numbered DDL; analysis.py turns text into the words the Whoosh
engine indexes (folding, stems beside exact words, positions); rows.py makes a document's
row and writes batches of them; query.py compiles the query language's tree to SQL over
`tsquery`s; search.py runs a search; engine.py is the SearchEngine protocol over a pool.
"""
