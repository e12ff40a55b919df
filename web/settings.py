"""The web app's settings: defaults, then the instance's config file, then the environment."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Mapping

from flask import Flask

DEFAULTS = {
    "LANGUAGES": ["en", "fa", "ar", "fr"],
    "BABEL_DEFAULT_LOCALE": "en",
    "LANGUAGE_COOKIE": "lang",
    "LANGUAGE_COOKIE_DAYS": 365,
    "FEED_ENTRIES": 50,          # the newest matches an Atom feed carries
    "FACET_VALUES_SHOWN": 6,     # values a facet shows before "show more"
    "EXPORT_CHUNK_BYTES": 64 * 1024,
    "JSON_SORT_KEYS": False,
    "PUBLIC_SEARCH": True,       # False: searching, documents and feeds need a login too
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": None,  # a form stays valid as long as its session
    "ALERT_HITS_PER_PAGE": 50,
}
SECRET_FILE = "secret_key"
CONFIG_FILES = ("web.cfg", "config.py")
ENV_PREFIX = "MEDIA_MONITOR"


def locate_home(config: Mapping) -> Path:
    """The instance folder, as the CLI finds it: HOME, else $MEDIA_MONITOR_HOME, else ./instance."""
    return Path(config.get("HOME") or os.environ.get(f"{ENV_PREFIX}_HOME") or "instance").resolve()


def load_settings(app: Flask, config: Mapping) -> None:
    """Defaults < the instance folder's web.cfg / config.py < MEDIA_MONITOR_* < config given."""
    app.config.from_mapping(DEFAULTS)
    for name in CONFIG_FILES:
        app.config.from_pyfile(name, silent=True)
    app.config.from_prefixed_env(ENV_PREFIX)
    app.config.update(config)
    app.config["HOME"] = app.instance_path
    app.json.sort_keys = app.config["JSON_SORT_KEYS"]
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(Path(app.instance_path))


def instance_secret(home: Path) -> str:
    """The session key kept in the instance folder, made on first run (readable by its owner
    only; never in the repository). MEDIA_MONITOR_SECRET_KEY, when set, is used instead."""
    path = home / SECRET_FILE
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:            # another worker made it first: read theirs
            return path.read_text().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
