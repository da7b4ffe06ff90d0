"""The Flask extension: reads the configuration, makes the engine, mounts the blueprints and CLI.

It only wires: the per-app state and the session accessors are in ``shop_reco.state``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from shop_reco import settings as settings_mod
from shop_reco.blueprints import register_blueprints
from shop_reco.cli import shop_reco_group
from shop_reco.resources import resource_dir
from shop_reco.signals import content_changed
from shop_reco.state import EXTENSION_KEY, RecoState, close_session, get_session, get_state
from shop_reco.storage.answer_log import AnswerLog
from shop_reco.storage.database import ContentChange, make_engine, make_session_factory
from shop_reco.storage.models import Recommendation

# The accessors live in shop_reco.state (which imports no view code); they stay importable
# from here for host apps and tests written against earlier versions.
__all__ = ["EXTENSION_KEY", "RecoState", "ShopReco", "get_session", "get_state", "resource_dir"]


class ShopReco:
    """Discomfort-aware recommendations for a Flask shop.

    Options are the ``SHOP_RECO_*`` settings in lowercase without the prefix
    and win over ``app.config``; ``engine`` is an Engine, or a callable taking
    the app and returning one, to share the host's database instead of our own.

        >>> app = Flask(__name__)
        >>> reco = ShopReco(app, url_prefix="/reco")
        >>> reco.init_app(app)
        Traceback (most recent call last):
        ...
        RuntimeError: ShopReco is already registered on this app ...
    """

    def __init__(
        self,
        app: Flask | None = None,
        *,
        engine: Engine | Callable[[Flask], Engine] | None = None,
        **options: Any,
    ) -> None:
        self._engine_option = engine
        self._options = options
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        if EXTENSION_KEY in app.extensions:
            raise RuntimeError(
                "ShopReco is already registered on this app (app.extensions['shop_reco'] exists); "
                "create one ShopReco per app and call init_app once"
            )
        resolved = settings_mod.resolve(app.config, self._options)
        engine, owns = self._make_engine(app, resolved)
        state = RecoState(
            extension=self,
            settings=resolved,
            engine=engine,
            session_factory=make_session_factory(engine, _send_content_changed),
            owns_engine=owns,
            answer_log=AnswerLog(
                engine,
                Recommendation.__table__,  # type: ignore[arg-type]
                flush_seconds=resolved["SHOP_RECO_ANSWER_LOG_FLUSH_SECONDS"],
                max_pending=resolved["SHOP_RECO_ANSWER_LOG_MAX_PENDING"],
            ),
        )
        app.extensions[EXTENSION_KEY] = state
        app.teardown_appcontext(close_session)
        app.cli.add_command(shop_reco_group)
        if resolved["SHOP_RECO_ENABLED"]:
            register_blueprints(app, state)

    def _make_engine(self, app: Flask, resolved: dict[str, Any]) -> tuple[Engine, bool]:
        option = self._engine_option
        if option is not None:
            engine = option(app) if callable(option) and not isinstance(option, Engine) else option
            if not isinstance(engine, Engine):
                raise settings_mod.ConfigError("ShopReco(engine=...) must be an Engine or a callable returning one")
            return engine, False
        url = resolved["SHOP_RECO_DATABASE_URL"]
        if url is None:
            Path(app.instance_path).mkdir(parents=True, exist_ok=True)
            url = f"sqlite:///{Path(app.instance_path) / 'shop_reco.db'}"
            resolved["SHOP_RECO_DATABASE_URL"] = url
        try:
            return make_engine(url, resolved["SHOP_RECO_ENGINE_OPTIONS"]), True
        except Exception as exc:  # bad URL, missing driver
            raise settings_mod.ConfigError(
                f"SHOP_RECO_DATABASE_URL={url!r} cannot be used: {exc}. "
                "For PostgreSQL install shop_reco[postgres] and use 'postgresql+psycopg://...'"
            ) from exc

    @property
    def session(self) -> Session:
        """The database session of the current app context (closed at teardown)."""
        return get_session()

    def flush_answer_log(self, app: Flask | None = None) -> int:
        """Write the answers this process has queued now (they go within a second anyway)."""
        return get_state(app).answer_log.flush()

    def settings(self, app: Flask | None = None) -> dict[str, Any]:
        """The resolved ``SHOP_RECO_*`` settings of ``app`` (default: the current app)."""
        return dict(get_state(app).settings)


def _send_content_changed(revision: int, changes: tuple[ContentChange, ...]) -> None:
    """Tell the host's receivers (``shop_reco.signals.content_changed``) what a commit changed."""
    if content_changed.receivers:
        sender = current_app._get_current_object() if has_app_context() else None  # type: ignore[attr-defined]
        content_changed.send(sender, revision=revision, changes=changes)
