"""Saved-search alerts: saved searches and their checkpoints, matching new documents
exactly once, schedules, channels (inbox, Atom, email, webhook) and delivery records.

No Flask here: the web app, the command line and the worker all call indexer.alerts.service.
"""
