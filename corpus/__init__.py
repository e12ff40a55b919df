"""Readers that turn news files into Documents; no search engine, no web."""
