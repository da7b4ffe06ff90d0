"""Where shop_reco's non-Python folders (``templates``, ``migrations``) are, in a wheel or a checkout.

Bottom of the import graph, beside ``vocabulary``: storage, the extension and
the views all need it, so it imports nothing of ours.
"""

from __future__ import annotations

from pathlib import Path

#: The top-level folders of a source checkout, mapped into the package in wheels.
PACKAGE_DIR = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """Locate ``templates`` or ``migrations`` in a wheel (inside the package) or a checkout."""
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise RuntimeError(f"shop_reco's {name}/ folder is missing; reinstall the package")
