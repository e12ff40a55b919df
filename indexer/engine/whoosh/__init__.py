"""The Whoosh engine: every module that knows Whoosh lives here."""
