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
    with pytest.raises(ConfigError, match="url_prefix"):
        ShopReco(host_app(tmp_path), url_prefx="/typo")


def test_unusable_database_url_says_how_to_fix(tmp_path: Path) -> None:
    app = host_app(tmp_path, SHOP_RECO_DATABASE_URL="nosuchdb://x")
    with pytest.raises(ConfigError, match="SHOP_RECO_DATABASE_URL"):
        ShopReco(app)


def test_every_setting_has_prefix_default_and_doc() -> None:
    for s in SETTINGS:
        assert s.key.startswith("SHOP_RECO_")
        assert s.doc.endswith(".")


def test_every_setting_is_listed_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    missing = [s.key for s in SETTINGS if f"`{s.key}`" not in readme]
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


def test_host_routes_get_no_shop_reco_headers_or_handlers(tmp_path: Path) -> None:
    app = host_app(tmp_path)

    @app.get("/host")
    def host_view() -> str:
        return "host page"

    ShopReco(app)
    response = app.test_client().get("/host")
    assert response.get_data(as_text=True) == "host page"
    assert "Content-Security-Policy" not in response.headers
    missing = app.test_client().get("/host-missing")
    assert missing.status_code == 404
    assert not missing.is_json, "the host's own 404 page is untouched"


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
