"""Ingest: the ingester (readers -> enrichment -> store), merge rules, re-enrichment."""
