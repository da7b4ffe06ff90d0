"""The rule editor, by concern.

- :mod:`~shop_reco.admin.rules.views`: the pages (list, structured form, JSON
  editor, conflict page, enable/disable, delete);
- :mod:`~shop_reco.admin.rules.form`: the structured form to a rule and back;
- :mod:`~shop_reco.admin.rules.changes`: the one path of every rule change
  (lock check, test bench, write, revision);
- :mod:`~shop_reco.admin.rules.sandbox`: rule sets not saved yet, for the
  preview and the test bench;
- :mod:`~shop_reco.admin.rules.preview`: the preview page (the saved rules).

The rule entity (:mod:`shop_reco.admin.entities.rules`) mounts the pages and
handles the rule's revisions and export. This package face imports nothing.
"""
