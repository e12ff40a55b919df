"""Output: exports (JSON Lines, CSV) and the command line's text rendering."""
