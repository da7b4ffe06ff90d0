"""The merchant admin: rules editor, preview, test bench, revisions, content and analytics.

Mounted at ``<prefix>/admin`` by :func:`shop_reco.admin.blueprint.register_admin`.
The admin is a set of entities (:mod:`shop_reco.admin.registry`, one module
each under :mod:`shop_reco.admin.entities`) plus the sections listed in
:mod:`shop_reco.admin.blueprint`. This package face imports nothing, so its
modules can import each other without a loop through it.
"""
