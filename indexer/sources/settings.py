"""How sources are fetched, from MEDIA_MONITOR_SOURCES_* environment variables."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Mapping

PREFIX = "MEDIA_MONITOR_SOURCES_"
MB = 1024 * 1024
TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class FetchSettings:
    """Timeouts, limits and the safety switch of every request a poll makes."""

    connect_timeout: float = 5.0      # seconds to open a connection
    read_timeout: float = 20.0        # seconds of silence from a server
    total_timeout: float = 60.0       # seconds for one whole answer (a slow drip ends too)
    max_bytes: int = 10 * MB          # a body past this is cut off and reported
    max_redirects: int = 5
    allow_private: bool = False       # loopback, private and link-local addresses (tests)
    user_agent: str = ("MediaMonitor/0.1 (news monitoring feed poller; "
                       "+https://github.com/media-monitor)")
    parallel: int = 8                 # sources fetched at once (one at a time per host)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "FetchSettings":
        """Read ..._ALLOW_PRIVATE, ..._CONNECT_TIMEOUT, ..._READ_TIMEOUT, ..._TOTAL_TIMEOUT,
        ..._MAX_BYTES, ..._MAX_REDIRECTS, ..._USER_AGENT and ..._PARALLEL."""
        env = os.environ if environ is None else environ
        base = cls()
        read = lambda name, default, kind=str: kind(env.get(PREFIX + name, default))  # noqa: E731
        return cls(connect_timeout=read("CONNECT_TIMEOUT", base.connect_timeout, float),
                   read_timeout=read("READ_TIMEOUT", base.read_timeout, float),
                   total_timeout=read("TOTAL_TIMEOUT", base.total_timeout, float),
                   max_bytes=read("MAX_BYTES", base.max_bytes, int),
                   max_redirects=read("MAX_REDIRECTS", base.max_redirects, int),
                   allow_private=env.get(PREFIX + "ALLOW_PRIVATE", "").lower() in TRUE,
                   user_agent=read("USER_AGENT", base.user_agent),
                   parallel=max(1, read("PARALLEL", base.parallel, int)))
