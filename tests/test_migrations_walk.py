"""Every revision of shop_reco's chain goes up and comes down, one step at a time."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import create_engine

from shop_reco.storage import migrations


def test_each_revision_upgrades_and_downgrades_step_by_step(database_url: str) -> None:
    script = ScriptDirectory.from_config(migrations.alembic_config())
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert revisions and revisions[-1] == migrations.head()
    engine = create_engine(database_url)
    for revision in revisions:
        migrations.upgrade(engine, revision)
        assert migrations.current(engine) == revision
    for expected in reversed([None, *revisions[:-1]]):
        migrations.downgrade(engine, "-1")
        assert migrations.current(engine) == expected
    engine.dispose()
