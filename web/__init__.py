"""The Flask web app and JSON API (to come)."""
