"""``flask shop-reco ...``: database, content import, recommendations and rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NoReturn

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError

from shop_reco import settings as settings_mod
from shop_reco.admin.experiment_lifecycle import ExperimentError, experiment_report, start_experiment, stop_experiment
from shop_reco.answering.answers import answer_description
from shop_reco.answering.payloads import answer_payload
from shop_reco.content_tagging import content_tagger
from shop_reco.importing.articles import ArticleImportError, parse_article
from shop_reco.importing.google_feed import MAX_FEED_BYTES, read_google_feed
from shop_reco.importing.products import ProductImportError, read_products
from shop_reco.recommending import load_rules
from shop_reco.state import get_session, get_state
from shop_reco.storage import migrations
from shop_reco.storage.content import import_products as store_products
from shop_reco.storage.content import replace_article, rule_record, upsert_rule, upsert_source
from shop_reco.storage.demo_data import DemoDataError, load_demo_data
from shop_reco.storage.privacy import purge_expired_descriptions
from shop_reco.storage.snapshot import load_rule_data

shop_reco_group = click.Group("shop-reco", help="shop_reco: recommendations for discomfort descriptions.")


def _fail(message: str) -> NoReturn:
    """Exit non-zero with an error message (nothing has been committed)."""
    raise click.ClickException(message)


def _read_file(path: str, limit: int = 5 * 1024 * 1024) -> bytes:
    p = Path(path)
    if not p.is_file():
        _fail(f"{path}: no such file")
    if p.stat().st_size > limit:
        _fail(f"{path}: larger than {limit // 1024 // 1024} MB")
    try:
        return p.read_bytes()
    except OSError as exc:
        _fail(f"{path}: cannot be read ({exc.strerror})")


# -- database ---------------------------------------------------------------


@shop_reco_group.group("db", help="shop_reco's own migrations (version table reco_alembic_version).")
def db_group() -> None:
    pass


@db_group.command("upgrade")
@click.argument("revision", default="head")
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or update shop_reco's tables (default: to the newest revision)."""
    try:
        migrations.upgrade(get_state().engine, revision)
    except Exception as exc:
        _fail(f"upgrade to {revision!r} failed: {exc}")
    click.echo(f"shop_reco schema at {migrations.current(get_state().engine)}")


@db_group.command("downgrade")
@click.argument("revision", default="-1")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Step back one revision, or to REVISION ('base' drops every reco_ table)."""
    try:
        migrations.downgrade(get_state().engine, revision)
    except Exception as exc:
        _fail(f"downgrade to {revision!r} failed: {exc}")
    click.echo(f"shop_reco schema at {migrations.current(get_state().engine) or 'base'}")


@db_group.command("current")
@with_appcontext
def db_current() -> None:
    """Print the revision the database is at and whether it is the newest."""
    engine = get_state().engine
    rev = migrations.current(engine)
    head = migrations.head()
    click.echo(f"{rev or 'base'} ({'head' if rev == head else f'behind head {head}'})")


# -- configuration ------------------------------------------------------------


@shop_reco_group.command("config")
@with_appcontext
def show_config() -> None:
    """List every SHOP_RECO_* setting with its value in this app."""
    state = get_state()
    for s in settings_mod.SETTINGS:
        value: Any = state.settings[s.key]
        if callable(value):
            value = f"<callable {getattr(value, '__name__', '?')}>"
        click.echo(f"{s.key} = {value!r}\n    {s.doc}")


# -- content --------------------------------------------------------------------


@shop_reco_group.command("demo-data")
@with_appcontext
def demo_data() -> None:
    """Load the bundled demo catalogue, exercises, article, rules and test bench (idempotent)."""
    session = get_session()
    _require_schema()
    try:
        counts = load_demo_data(session)
        session.commit()
    except DemoDataError as exc:
        session.rollback()
        _fail(str(exc))
    summary = ", ".join(f"{n} {kind} changed" for kind, n in counts.items())
    click.echo(f"demo data loaded: {summary}")


@shop_reco_group.command("import-article")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "html"]),
    default=None,
    help="Default: from the file's extension (.md, .html), else text.",
)
@click.option("--locale", default=None, help="The article's language (default: SHOP_RECO_DEFAULT_LOCALE).")
@click.option("--slug", default=None, help="The article's slug (default: from its title, else the file's name).")
@with_appcontext
def import_article(file: str, fmt: str | None, locale: str | None, slug: str | None) -> None:
    """Import an article (plain text, Markdown or HTML) into sections tagged with concepts.

    Without a title line in the text, the title and slug come from the file's name.
    Sections are tagged as in the admin import, with the merchant's synonyms.
    """
    _require_schema()
    locale = _check_locale(locale)
    raw = _read_file(file)
    if fmt is None:
        suffix = Path(file).suffix.lower()
        fmt = {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html"}.get(suffix, "text")
    try:
        doc = parse_article(raw, fmt=fmt, locale=locale, slug=slug, name=Path(file).name, tagger=content_tagger())
    except ArticleImportError as exc:
        _fail(f"{file}: {exc}")
    session = get_session()
    data = doc.as_dict()
    try:
        for source in doc.sources:
            upsert_source(session, source.as_dict(), actor="cli")
        _, changed = replace_article(session, data, actor="cli")
        session.commit()
    except Exception:
        session.rollback()
        raise
    click.echo(
        f"article {data['slug']} ({locale}): {len(data['sections'])} sections, "
        f"{len(data['sources'])} sources{'' if changed else ' (unchanged)'}"
    )


@shop_reco_group.command("import-products")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "csv", "google"]),
    default=None,
    help="json, csv, or google (a Google Merchant Center feed: RSS, Atom or TSV). Default: from the extension.",
)
@click.option("--locale", default=None, help="A Google feed's language (default: SHOP_RECO_DEFAULT_LOCALE).")
@click.option("--prune", is_flag=True, help="Deactivate every product whose SKU is not in the file.")
@click.option(
    "--allow-claims",
    is_flag=True,
    help="Import copy that reads as a treatment or cure claim, once you have reviewed the wording.",
)
@with_appcontext
def import_products(file: str, fmt: str | None, locale: str | None, prune: bool, allow_claims: bool) -> None:
    """Upsert products by SKU from JSON, CSV or a Google product feed; one bad row and nothing is written.

    A Google feed's products are tagged with concepts from their title and
    description. Copy that says a product treats, cures or relieves is refused,
    as in the admin product form, unless --allow-claims confirms that the
    wording was reviewed. Importing the same file twice changes nothing.
    """
    _require_schema()
    fmt = fmt or _product_format(file)
    if fmt != "google" and locale is not None:
        _fail("--locale is for --format google; JSON and CSV rows carry their own locale")
    try:
        parsed = _read_products(file, fmt, locale)
    except ProductImportError as exc:
        lines = "\n".join(f"  {_where(e)}, field {e['field']}: {e['message']}" for e in exc.errors)
        _fail(f"{file}: nothing imported, {len(exc.errors)} error(s):\n{lines}")
    claims = "\n".join(f"  {claim}" for claim in parsed.claims)
    if parsed.claims and not allow_claims:
        _fail(
            f"{file}: nothing imported, {len(parsed.claims)} text(s) read as a treatment or cure claim:\n{claims}\n"
            "Products give support and comfort, never treatment: reword them (e.g. “gives support while you "
            "sit”), or run again with --allow-claims once you have reviewed the wording."
        )
    session = get_session()
    try:
        done = store_products(session, parsed.products, actor="cli", merge_text=fmt == "google", prune=prune)
        session.commit()
    except Exception:
        session.rollback()
        raise
    click.echo(f"{done.read} products read, {done.changed} created or updated")
    if prune:
        click.echo(f"{len(done.deactivated)} products not in the file deactivated{_listed(done.deactivated)}")
    if parsed.claims:
        click.echo(f"kept as reviewed (--allow-claims), {len(parsed.claims)} text(s) with treatment wording:\n{claims}")


def _product_format(file: str) -> str:
    suffix = Path(file).suffix.lower()
    return {".csv": "csv", ".xml": "google", ".rss": "google", ".atom": "google", ".tsv": "google"}.get(suffix, "json")


def _read_products(file: str, fmt: str, locale: str | None) -> Any:
    """The validated products of FILE and their claims (a ``ProductFile``)."""
    if fmt != "google":
        return read_products(_read_file(file), fmt=fmt)
    raw = _read_file(file, limit=MAX_FEED_BYTES)
    return read_google_feed(raw, locale=_check_locale(locale), tagger=content_tagger())


def _where(error: dict[str, Any]) -> str:
    """Where a product error is: a feed item by its id, else the line."""
    if "item" in error:
        return f"item {error['item']} (#{error['line']})"
    return f"line {error['line']}"


def _listed(skus: tuple[str, ...], most: int = 20) -> str:
    if not skus:
        return ""
    more = f", and {len(skus) - most} more" if len(skus) > most else ""
    return f": {', '.join(skus[:most])}{more}"


def _check_locale(locale: str | None) -> str:
    state = get_state()
    locale = locale or state.settings["SHOP_RECO_DEFAULT_LOCALE"]
    if locale not in state.settings["SHOP_RECO_LOCALES"]:
        _fail(f"unknown locale {locale!r}; supported: {', '.join(state.settings['SHOP_RECO_LOCALES'])}")
    return locale


def _require_schema() -> None:
    try:
        behind = migrations.pending(get_state().engine)
    except Exception as exc:
        _fail(f"cannot reach the database {get_state().settings['SHOP_RECO_DATABASE_URL']!r}: {exc}")
    if behind:
        _fail("shop_reco's tables are missing or out of date: run `flask shop-reco db upgrade` first")


@shop_reco_group.command("purge")
@with_appcontext
def purge_command() -> None:
    """Delete stored description text past SHOP_RECO_RETENTION_DAYS (derived codes stay)."""
    _require_schema()
    session = get_session()
    count = purge_expired_descriptions(session)
    session.commit()
    click.echo(f"{count} stored descriptions past their retention deleted")


# -- recommendations and rules -------------------------------------------------------------


@shop_reco_group.command("recommend")
@click.argument("text")
@click.option("--locale", default=None, help="en or sv (default: detected from the text).")
@click.option("--json", "as_json", is_flag=True, help="Print exactly what the API would answer.")
@with_appcontext
def recommend_command(text: str, locale: str | None, as_json: bool) -> None:
    """Print what the API would answer for TEXT (the text itself is not stored)."""
    _require_schema()
    state = get_state()
    if not text.strip() or len(text) > state.settings["SHOP_RECO_MAX_DESCRIPTION_CHARS"]:
        _fail(f"TEXT must be 1 to {state.settings['SHOP_RECO_MAX_DESCRIPTION_CHARS']} characters")
    if locale is not None:
        locale = _check_locale(locale)  # the one check: answer_description trusts it
    answer = answer_description(text, locale=locale, source="cli")
    payload = answer_payload(
        answer,
        cart_template=state.settings["SHOP_RECO_CART_URL_TEMPLATE"],
        article_template=state.settings["SHOP_RECO_ARTICLE_URL_TEMPLATE"],
        contacts=state.settings["SHOP_RECO_URGENT_CONTACTS"],
    )
    if as_json:
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    _print_answer(payload)


def _print_answer(p: dict[str, Any]) -> None:
    profile = p["profile"]
    found = ", ".join(f"{m['code']}{' (negated)' if m['negated'] else ''} «{m['phrase']}»" for m in profile["matches"])
    click.echo(f"understood: {found or 'nothing specific'}")
    click.echo(f"safety: {p['safety']['level']}")
    if p["safety"]["message"]:
        click.echo(f"  {p['safety']['message']}")
    for title, key, label in (
        ("exercises", "exercises", "slug"),
        ("products", "products", "sku"),
        ("reading", "sections", "anchor"),
    ):
        if p[key]:
            click.echo(f"{title}:")
            for item in p[key]:
                rules = sorted({r["rule"] for r in item["why"] if r["rule"]})
                click.echo(f"  - {item[label]}: {item['reason']}" + (f" [rules: {', '.join(rules)}]" if rules else ""))
    for a in p["avoid"]:
        click.echo(f"avoid: {a['text']}")
    if p["fallback"]:
        click.echo("(nothing specific matched: a general balanced routine)")
    click.echo(p["disclaimer"])


@shop_reco_group.group("rules", help="Export or import the recommendation rules as JSON.")
def rules_group() -> None:
    pass


@rules_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def rules_export(file: str) -> None:
    """Write every rule to FILE ('-' for standard output)."""
    _require_schema()
    rules = list(load_rule_data(get_session()))
    for r in rules:
        r.pop("version", None)
    text = json.dumps(rules, ensure_ascii=False, indent=2) + "\n"
    if file == "-":
        click.echo(text, nl=False)
    else:
        Path(file).write_text(text, encoding="utf-8")
        click.echo(f"{len(rules)} rules written to {file}")


@rules_group.command("import")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def rules_import(file: str) -> None:
    """Create or update rules by key from FILE; one invalid rule and nothing is written."""
    _require_schema()
    try:
        data = json.loads(_read_file(file).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        _fail(f"{file}: not valid JSON ({exc})")
    if not isinstance(data, list):
        _fail(f"{file}: expected a JSON list of rules")
    try:
        rules = load_rules(data)
    except ValidationError as exc:
        _fail(f"{file}: nothing imported; invalid rules: {json.dumps(exc.messages, ensure_ascii=False)}")
    session = get_session()
    changed = 0
    try:
        for rule in rules:
            changed += upsert_rule(session, rule_record(rule), actor="cli")[1]
        session.commit()
    except Exception:
        session.rollback()
        raise
    click.echo(f"{len(rules)} rules read, {changed} created or updated")


# -- experiments ------------------------------------------------------------------------------------


@shop_reco_group.group("experiments", help="Compare rule sets on the live shop (safety is the same in every variant).")
def experiments_group() -> None:
    pass


@experiments_group.command("start")
@click.argument("file", type=click.Path(dir_okay=False))
@with_appcontext
def experiments_start(file: str) -> None:
    """Start the experiment in FILE: {"key", "variants": [{"key", "weight", "rules": "live" | [...]}]}.

    Every variant's rules are validated like live rules and run through the
    safety test bench first; a variant that breaks a safety case does not start.
    """
    _require_schema()
    try:
        data = json.loads(_read_file(file).decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        _fail(f"{file}: not valid JSON ({exc})")
    try:
        row = start_experiment(data, actor="cli")
    except ExperimentError as exc:
        _fail(f"{file}: {exc.message}")
    split = ", ".join(f"{v['key']} {v['weight']}" for v in row.variants)
    click.echo(f"experiment {row.key!r} started ({split})")


@experiments_group.command("stop")
@click.argument("key")
@with_appcontext
def experiments_stop(key: str) -> None:
    """Stop experiment KEY: from now on every answer uses the live rules."""
    _require_schema()
    try:
        row = stop_experiment(key, actor="cli")
    except ExperimentError as exc:
        _fail(exc.message)
    click.echo(f"experiment {row.key!r} stopped")


@experiments_group.command("report")
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@with_appcontext
def experiments_report(key: str, as_json: bool) -> None:
    """Answers, impressions, clicks and add-to-carts per variant, with rates, intervals and chance of being best."""
    _require_schema()
    try:
        report = experiment_report(key)
    except ExperimentError as exc:
        _fail(exc.message)
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2))
        return
    click.echo(f"experiment {report.key} ({report.status}), {report.answers} answers counted")

    def pct(value: float | None) -> str:
        return "—" if value is None else f"{value:.1%}"

    for v in report.variants:
        c = v.counts
        low_high = v.ctr.interval
        ci = f" [{pct(low_high[0])}, {pct(low_high[1])}]" if low_high else ""
        click.echo(
            f"  {v.key} (weight {v.weight}): {c.answers} answers, {c.impressions} impressions, {c.clicks} clicks, "
            f"{c.add_to_carts} add-to-carts; CTR {pct(v.ctr.value)}{ci}, "
            f"P(best CTR) {v.ctr.probability_best:.0%}, add-to-cart rate {pct(v.add_to_cart_rate.value)}"
        )
    if report.ratio.mismatch:
        click.echo(
            f"WARNING: sample-ratio mismatch (p = {report.ratio.p_value:.2g}): the answers are not split as the "
            "weights say; check how visitor ids are made before trusting these results"
        )
