"""Text shared by everything that compares words: the one folding table, tokens and stems.

No engine and no web framework here: search analysis, snippets, near-duplicates, dates,
entities and the country gazetteer all fold with indexer.text.folding.
"""
