"""Schemathesis against our own OpenAPI document, in process (WSGI, no server).

Every operation, generated valid and invalid inputs: no server error, every
answer in the documented shape. `make test` runs a smaller example count;
`make fuzz` (SHOP_RECO_FUZZ_EXAMPLES=100 or more) the full one.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config._checks import NegativeDataRejectionConfig

from tests.databases import load_demo_database, make_app

EXAMPLES = int(os.environ.get("SHOP_RECO_FUZZ_EXAMPLES", "25"))

# Schemathesis makes one test per operation from the document, so the app that serves it is
# built at collection; that touches no database. The database (a copy of the session's
# migrated one with demo data) is made by the fixture below, once, when the tests run.
_WORKDIR = Path(tempfile.mkdtemp(prefix="shop-reco-fuzz-"))
atexit.register(shutil.rmtree, _WORKDIR, ignore_errors=True)
_DATABASE_URL = f"sqlite:///{_WORKDIR / 'fuzz.db'}"
_APP = make_app(_DATABASE_URL, _WORKDIR)

schema = schemathesis.openapi.from_wsgi("/reco/api/v1/openapi.json", _APP)
# A body over SHOP_RECO_MAX_BODY_BYTES is refused with 413 before validation: a rejection too.
_rejections = NegativeDataRejectionConfig()
schema.config.checks.negative_data_rejection = NegativeDataRejectionConfig(
    expected_statuses=[*_rejections.expected_statuses, "413"]
)


@pytest.fixture(scope="module", autouse=True)
def demo_database() -> Iterator[None]:
    load_demo_database(_DATABASE_URL)
    yield
    _APP.extensions["shop_reco"].close()


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_answers_in_its_documented_shape(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate()
