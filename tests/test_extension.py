"""Mounting shop_reco in a host app: options, config, sessions, isolation from the host."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask, g
from sqlalchemy import create_engine, text

from shop_reco import ShopReco
from shop_reco.extension import get_session, get_state
from shop_reco.settings import SETTINGS, ConfigError


def host_app(tmp_path: Path, **config: object) -> Flask:
    app = Flask("host", instance_path=str(tmp_path / "instance"))
    app.config.update(TESTING=True, SECRET_KEY="x", **config)
    return app


def test_init_app_later_and_state_in_extensions(tmp_path: Path) -> None:
    reco = ShopReco()
    app = host_app(tmp_path)
    reco.init_app(app)
    state = app.extensions["shop_reco"]
    assert state.extension is reco
    assert not hasattr(reco, "app"), "the app is never stored on the extension"


def test_default_database_is_sqlite_in_instance_folder(tmp_path: Path) -> None:
    app = host_app(tmp_path)
    ShopReco(app)
    url = get_state(app).settings["SHOP_RECO_DATABASE_URL"]
    assert url == f"sqlite:///{tmp_path / 'instance' / 'shop_reco.db'}"


def test_double_registration_is_a_clear_error(tmp_path: Path) -> None:
    app = host_app(tmp_path)
    reco = ShopReco(app)
    with pytest.raises(RuntimeError, match="already registered"):
        reco.init_app(app)
    with pytest.raises(RuntimeError, match="already registered"):
        ShopReco(app)


def test_options_win_over_config(tmp_path: Path) -> None:
    app = host_app(tmp_path, SHOP_RECO_URL_PREFIX="/from-config")
    ShopReco(app, url_prefix="/from-option")
    assert get_state(app).settings["SHOP_RECO_URL_PREFIX"] == "/from-option"
    assert app.test_client().get("/from-option/api/v1/vocabulary").status_code == 200
    assert app.test_client().get("/from-config/api/v1/vocabulary").status_code == 404


@pytest.mark.parametrize(
    ("key", "value", "hint"),
    [
        ("SHOP_RECO_URL_PREFIX", "reco", "a path like '/reco'"),
        ("SHOP_RECO_DEFAULT_LOCALE", "de", "one of"),
        ("SHOP_RECO_LOCALES", [], "non-empty list"),
        ("SHOP_RECO_CORS_ORIGINS", ["*"], "never"),
        ("SHOP_RECO_RULES_TTL", "soon", "seconds"),
    ],
)
def test_bad_config_names_the_key_and_what_it_expects(tmp_path: Path, key: str, value: object, hint: str) -> None:
    app = host_app(tmp_path, **{key: value})
    with pytest.raises(ConfigError, match=key) as info:
        ShopReco(app)
    assert hint in str(info.value)


def test_unknown_option_lists_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"did you mean url_prefix\?"):
        ShopReco(host_app(tmp_path), url_prefx="/typo")


def test_a_misspelt_config_key_stops_init_app_and_names_the_right_one(tmp_path: Path) -> None:
    app = host_app(tmp_path, SHOP_RECO_URL_PREFX="/shop-help")
    with pytest.raises(ConfigError) as info:
        ShopReco(app)
    message = str(info.value)
    assert "SHOP_RECO_URL_PREFX" in message and "did you mean SHOP_RECO_URL_PREFIX?" in message
    assert "shop_reco" not in app.blueprints, "nothing was mounted at the default prefix meanwhile"


def test_every_misspelt_key_is_listed_with_a_suggestion_when_one_is_close(tmp_path: Path) -> None:
    app = host_app(tmp_path, SHOP_RECO_RATELIMT="5/minute", SHOP_RECO_SOMETHING_ELSE=1, RATELIMIT_DEFAULT="1/hour")
    with pytest.raises(ConfigError) as info:
        ShopReco(app)
    message = str(info.value)
    assert "SHOP_RECO_RATELIMT in app.config is not a shop_reco setting (did you mean SHOP_RECO_RATELIMIT?)" in message
    assert "SHOP_RECO_SOMETHING_ELSE in app.config is not a shop_reco setting." in message, "no wild guess"
    assert "RATELIMIT_DEFAULT" not in message, "keys without our prefix are the host's business"


def test_unusable_database_url_says_how_to_fix(tmp_path: Path) -> None:
    app = host_app(tmp_path, SHOP_RECO_DATABASE_URL="nosuchdb://x")
    with pytest.raises(ConfigError, match="SHOP_RECO_DATABASE_URL"):
        ShopReco(app)


def test_every_setting_has_prefix_default_and_doc() -> None:
    for s in SETTINGS:
        assert s.key.startswith("SHOP_RECO_")
        assert s.doc.endswith(".")


def test_every_setting_is_documented() -> None:
    """Each setting is in the configuration reference (docs/configuration.md; the README before it)."""
    repo = Path(__file__).resolve().parents[1]
    docs = [repo / "docs" / "configuration.md", repo / "README.md"]
    text = "".join(path.read_text(encoding="utf-8") for path in docs if path.is_file())
    missing = [s.key for s in SETTINGS if f"`{s.key}`" not in text]
    assert missing == []


def test_one_session_per_app_context_closed_at_teardown(tmp_path: Path) -> None:
    app = host_app(tmp_path)
    ShopReco(app)
    with app.app_context():
        first = get_session()
        assert get_session() is first
        first.execute(text("select 1"))
        assert first.in_transaction()
    assert not first.in_transaction(), "teardown closed the session"
    with app.app_context():
        assert "_shop_reco_session" not in g
        assert get_session() is not first


def test_host_engine_can_be_shared(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'host.db'}")
    app = host_app(tmp_path)
    ShopReco(app, engine=lambda _app: engine)
    assert get_state(app).engine is engine
    assert get_state(app).owns_engine is False


def test_without_init_app_the_error_says_what_to_do(tmp_path: Path) -> None:
    app = host_app(tmp_path)
    with app.app_context(), pytest.raises(RuntimeError, match="did you forget to call"):
        get_session()


#: Flask-Limiter settings a host may have for its own limiter; they are not ours to apply.
HOST_RATELIMIT_CONFIG = {
    "RATELIMIT_DEFAULT": "1/minute",
    "RATELIMIT_APPLICATION": "1/minute",
    "RATELIMIT_META": "1/minute",
    "RATELIMIT_HEADERS_ENABLED": True,
}


def test_host_routes_get_no_shop_reco_headers_or_handlers(tmp_path: Path) -> None:
    app = host_app(tmp_path, **HOST_RATELIMIT_CONFIG)

    @app.get("/host")
    def host_view() -> str:
        return "host page"

    ShopReco(app, ratelimit_enabled=True)
    client = app.test_client()
    replies = [client.get("/host") for _ in range(3)]
    assert [r.status_code for r in replies] == [200, 200, 200], "our limiter never throttles the host's routes"
    response = replies[-1]
    assert response.get_data(as_text=True) == "host page"
    assert "Content-Security-Policy" not in response.headers
    assert not [name for name, _ in response.headers if name.lower().startswith(("x-ratelimit", "retry-after"))]
    missing = client.get("/host-missing")
    assert missing.status_code == 404
    assert not missing.is_json, "the host's own 404 page is untouched"
    assert "X-RateLimit-Limit" not in missing.headers
    # Nothing of ours in the host's config or its app-wide hooks.
    assert not {"RATELIMIT_ENABLED", "RATELIMIT_STRATEGY"} & set(app.config)
    assert "limiter" not in app.extensions
    assert not app.before_request_funcs.get(None) and not app.after_request_funcs.get(None)


def test_the_hosts_own_flask_limiter_keeps_its_settings(tmp_path: Path) -> None:
    from flask_limiter import Limiter
    from flask_limiter.util import get_remote_address

    app = host_app(tmp_path, RATELIMIT_STORAGE_URI="memory://", RATELIMIT_DEFAULT="2/minute")

    @app.get("/host")
    def host_view() -> str:
        return "host page"

    ShopReco(app, ratelimit_enabled=False)  # ours off must not switch the host's off
    Limiter(get_remote_address, app=app)
    client = app.test_client()
    assert [client.get("/host").status_code for _ in range(3)] == [200, 200, 429]
    assert client.get("/host").headers.get("X-RateLimit-Limit") is None, "the host's own header setting holds"


def test_disabled_extension_mounts_nothing(tmp_path: Path) -> None:
    app = host_app(tmp_path, SHOP_RECO_ENABLED=False)
    ShopReco(app)
    assert app.test_client().get("/reco/api/v1/vocabulary").status_code == 404


def test_settings_can_come_from_the_environment() -> None:
    from shop_reco.settings import from_environ

    parsed = from_environ(
        {
            "SHOP_RECO_RATELIMIT_ENABLED": "false",
            "SHOP_RECO_CORS_ORIGINS": "http://a.test:1, http://b.test:2",
            "SHOP_RECO_RULES_TTL": "2.5",
            "SHOP_RECO_DEFAULT_EXERCISES": "4",
            "UNRELATED": "x",
        }
    )
    assert parsed == {
        "SHOP_RECO_RATELIMIT_ENABLED": False,
        "SHOP_RECO_CORS_ORIGINS": ["http://a.test:1", "http://b.test:2"],
        "SHOP_RECO_RULES_TTL": 2.5,
        "SHOP_RECO_DEFAULT_EXERCISES": 4,
    }
    with pytest.raises(ConfigError, match="SHOP_RECO_RATELIMIT_ENABLED"):
        from_environ({"SHOP_RECO_RATELIMIT_ENABLED": "maybe"})
