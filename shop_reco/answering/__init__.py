"""Answering: the glue every door uses (the API, the widgets, the CLI, the admin preview, the demo).

* :mod:`~shop_reco.answering.snapshot`: the content snapshot of the current revision (catalog,
  compiled rules, the analyzer, a running experiment), cached per process.
* :mod:`~shop_reco.answering.answers`: :func:`~shop_reco.answering.answers.answer_description`,
  which fails closed, and the answer log.
* :mod:`~shop_reco.answering.payloads`: the served JSON, built in one place.
* :mod:`~shop_reco.answering.outage`: a database without tables, or out of reach, logged once.

It sits below the doors and above ``state`` and ``storage``: no door imports another.
"""
