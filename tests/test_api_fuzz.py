"""Schemathesis against our own OpenAPI document, in process (WSGI, no server).

Every operation, generated valid and invalid inputs: no server error, every
answer in the documented shape. `make test` runs a smaller example count;
`make fuzz` (SHOP_RECO_FUZZ_EXAMPLES=100 or more) the full one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config._checks import NegativeDataRejectionConfig

from tests.conftest import make_app

EXAMPLES = int(os.environ.get("SHOP_RECO_FUZZ_EXAMPLES", "25"))


def _fuzz_app():  # type: ignore[no-untyped-def]
    workdir = Path(tempfile.mkdtemp(prefix="shop-reco-fuzz-"))
    app = make_app(f"sqlite:///{workdir / 'fuzz.db'}", workdir)
    runner = app.test_cli_runner()
    for args in (["shop-reco", "db", "upgrade"], ["shop-reco", "demo-data"]):
        assert runner.invoke(args=args).exit_code == 0
    return app


schema = schemathesis.openapi.from_wsgi("/reco/api/v1/openapi.json", _fuzz_app())
# A body over SHOP_RECO_MAX_BODY_BYTES is refused with 413 before validation: a rejection too.
_rejections = NegativeDataRejectionConfig()
schema.config.checks.negative_data_rejection = NegativeDataRejectionConfig(
    expected_statuses=[*_rejections.expected_statuses, "413"]
)


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_in_its_documented_shape(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate()
