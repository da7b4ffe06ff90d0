"""One module per kind of record a merchant edits, each an :class:`~shop_reco.admin.entity.AdminEntity`.

The registry (:mod:`shop_reco.admin.registry`) lists them; revisions, rollback,
usage and import/export iterate it.
"""
