"""What the HTTP doors (the API and the widgets) share: conditional GET, rate limits, request checks.

Mechanisms only, no routes: each blueprint installs its own hooks and views,
and uses these the same way, so neither door imports the other.
"""
