"""Another shop on another origin, embedding the widgets with ``widget.js`` only.

    python -m shop_reco.demo.other_origin --shop http://127.0.0.1:5000 --port 5001

Start the demo shop with ``SHOP_RECO_CORS_ORIGINS=http://127.0.0.1:5001`` so
its API answers this page's browser calls. The page is plain HTML: no Flask
here, a WSGI callable that ``make_server`` (or any WSGI server) can serve.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from shop_reco.resources import resource_dir

PAGE = "shop_reco/demo/other_origin.html"


def render_page(shop_url: str) -> str:
    """The static page, pointing its script tag at the shop's ``/reco/widget.js``."""
    env = Environment(loader=FileSystemLoader(str(resource_dir("templates"))), autoescape=select_autoescape())
    return env.get_template(PAGE).render(shop=shop_url.rstrip("/"))


def make_other_origin_app(shop_url: str) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """A WSGI app serving the page at ``/`` and 404 elsewhere."""
    body = render_page(shop_url).encode("utf-8")

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "/") not in ("/", "/index.html"):
            start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"not found"]
        headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(body)))]
        start_response("200 OK", [*headers, ("Cache-Control", "no-store")])
        return [body]

    return app


def main(argv: list[str] | None = None) -> None:
    from werkzeug.serving import run_simple

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shop", default="http://127.0.0.1:5000", help="the demo shop's URL")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5001)
    args = parser.parse_args(argv)
    print(f"Another shop at http://{args.host}:{args.port}/ embedding {args.shop}/reco/widget.js")
    run_simple(args.host, args.port, make_other_origin_app(args.shop))


if __name__ == "__main__":
    main()
