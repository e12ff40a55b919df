"""The Flask web app: search page, document, entity and country pages, Atom feeds, JSON API.

Views stay thin: they read the request into SearchParams, call the service layer
(indexer.service.Monitor, indexer.pages) and render its answer. No search, count or date
rule lives here.
"""
from __future__ import annotations

from typing import Mapping

from flask import Flask

from indexer.instance import Instance
from indexer.service import Monitor
from web import auth, errors, i18n, security
from web.settings import load_settings, locate_home


def create_app(config: Mapping | None = None) -> Flask:
    """Build the app over one instance folder (config HOME, $MEDIA_MONITOR_HOME, ./instance)."""
    config = dict(config or {})
    home = locate_home(config)
    app = Flask(__name__, instance_path=str(home), instance_relative_config=True)
    load_settings(app, config)
    # One Monitor per process: its engine keeps one reused searcher per thread.
    # MEDIA_MONITOR_DATABASE_URL (or config DATABASE_URL) puts it on PostgreSQL.
    app.extensions["monitor"] = Monitor(Instance.locate(str(home), config.get("DATABASE_URL")))
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    register_blueprints(app)
    return app


def register_blueprints(app: Flask) -> None:
    """Mount one blueprint per area."""
    from web.alerts import bp as alerts
    from web.api import bp as api
    from web.countries import bp as countries
    from web.documents import bp as documents
    from web.entities import bp as entities
    from web.feeds import bp as feeds
    from web.search import bp as search
    from web.sources import bp as sources

    for blueprint in (search, documents, entities, countries, feeds, api, alerts, sources):
        app.register_blueprint(blueprint)
