"""Per-app state and the accessors every view uses: ``get_state()``, ``get_session()``.

Kept apart from ``extension.py`` (which wires blueprints and the CLI and so
imports every view module) so that a view can reach its app's state without
importing the extension: the views sit above this module, the wiring above
them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shop_reco.storage.answer_log import AnswerLog

if TYPE_CHECKING:
    from shop_reco.extension import ShopReco
    from shop_reco.web.rate_limits import RateLimits

EXTENSION_KEY = "shop_reco"
_SESSION_ATTR = "_shop_reco_session"


@dataclass
class RecoState:
    """Everything shop_reco keeps for one app, in ``app.extensions["shop_reco"]``."""

    extension: ShopReco
    settings: dict[str, Any]
    engine: Engine
    session_factory: sessionmaker[Session]
    owns_engine: bool
    answer_log: AnswerLog
    caches: dict[str, Any] = field(default_factory=dict)
    #: The rate-limit budgets of our views (None when SHOP_RECO_RATELIMIT_ENABLED is off).
    rate_limits: RateLimits | None = None

    def setting(self, key: str) -> Any:
        return self.settings[key]

    def close(self) -> None:
        """Write queued answers, stop buffering, and dispose of the engine if it is ours.

        For tests and for hosts that shut an app down without exiting the process.
        """
        self.answer_log.close()
        if self.owns_engine:
            self.engine.dispose()


def get_state(app: Flask | None = None) -> RecoState:
    """The shop_reco state of ``app`` (default: the current app), with a fix hint if missing."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    try:
        return app.extensions[EXTENSION_KEY]
    except KeyError:
        raise RuntimeError(
            "shop_reco is not registered on this app; did you forget to call ShopReco(app) or reco.init_app(app)?"
        ) from None


def get_session() -> Session:
    """The shop_reco database session of the current app context, created on first use."""
    session: Session | None = g.get(_SESSION_ATTR)
    if session is None:
        session = get_state().session_factory()
        setattr(g, _SESSION_ATTR, session)
    return session


def close_session(_exc: BaseException | None) -> None:
    """Close the app context's session, if one was opened (an app-context teardown hook)."""
    session: Session | None = g.pop(_SESSION_ATTR, None)
    if session is not None:
        session.close()
