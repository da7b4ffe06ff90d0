"""The Flask extension: configuration, database sessions, blueprints and CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from shop_reco import settings as settings_mod
from shop_reco.signals import content_changed
from shop_reco.storage.answer_log import AnswerLog
from shop_reco.storage.database import ContentChange, make_engine, make_session_factory
from shop_reco.storage.models import Recommendation

if TYPE_CHECKING:
    from shop_reco.api.policies import LimiterScope

EXTENSION_KEY = "shop_reco"
_SESSION_ATTR = "_shop_reco_session"

#: The top-level folders of a source checkout, mapped into the package in wheels.
PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Locate ``templates`` or ``migrations`` in a wheel (inside the package) or a checkout."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"shop_reco's {name}/ folder is missing; reinstall the package")


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
    limiter: Any = None
    #: Flask-Limiter's hooks, installed on our rate-limited blueprints only.
    limiter_scope: LimiterScope | None = None

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
        app.teardown_appcontext(_close_session)

        from shop_reco.cli import shop_reco_group

        app.cli.add_command(shop_reco_group)
        if resolved["SHOP_RECO_ENABLED"]:
            from shop_reco.blueprints import register_blueprints

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


def _close_session(_exc: BaseException | None) -> None:
    session: Session | None = g.pop(_SESSION_ATTR, None)
    if session is not None:
        session.close()
