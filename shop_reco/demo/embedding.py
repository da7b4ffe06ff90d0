"""The demo shop's embedding showcase: settings from the environment and an iframe page.

    SHOP_RECO_CORS_ORIGINS=http://127.0.0.1:5001 flask --app shop_reco.demo run
    python -m shop_reco.demo.other_origin --shop http://127.0.0.1:5000 --port 5001

``/embed-demo`` frames the three iframe widgets; the second command serves a
plain HTML page from another origin that embeds them with ``widget.js``.
"""

from __future__ import annotations

from flask import Flask, render_template, request, session

from shop_reco import vocabulary


#: Environment variables holding comma-separated origin lists.
def register_embed_demo(app: Flask) -> None:
    """``/embed-demo``: the finder, a product's pairings and the article, each in an iframe."""

    @app.get("/embed-demo")
    def embed_demo() -> str:
        wanted = request.args.get("lang")
        locale = wanted if wanted in vocabulary.LOCALES else str(session.get("lang") or "en")
        return render_template("shop_reco/demo/embed_demo.html", locale=locale)
