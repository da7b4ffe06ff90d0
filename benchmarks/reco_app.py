"""shop_reco mounted in a bare Flask app: the host the HTTP benchmark measures against ``bare_app``.

Both apps are the same empty Flask application under the same gunicorn
configuration, so the ratio is what shop_reco's own work costs, not what a
storefront's sessions and pages cost. ``SHOP_RECO_*`` settings come from the
environment, as in the demo shop.
"""

from __future__ import annotations

import os

from flask import Flask

from shop_reco import ShopReco
from shop_reco.settings import from_environ

app = Flask(__name__)
app.config.update(from_environ(os.environ))
ShopReco(app)
