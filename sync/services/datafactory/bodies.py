"""What every resource body the app sends to Data Factory shares: the pinned SDK's models and the app's marks.

Bodies are built with azure-mgmt-datafactory 9.3.0's models (they carry ADF's discriminators and property names,
docs/decisions/0004-adf-sdk-9.3.0.md) and serialised to JSON, which is fingerprinted and sent through the app's
own transport.
"""

from __future__ import annotations

from typing import Any

import azure.mgmt.datafactory.models as sdk_models

ANNOTATION = "generated-by:purview-cluedin-sync"
"""Annotation on every resource the app writes, so people (and the app) can tell them apart in the factory."""
FOLDER = "CluedIn"

m: Any = sdk_models
"""The 9.3.0 models, untyped here: the SDK annotates every property ADF allows as an expression (strings, ints,
booleans) as a JSON mapping, which would make mypy reject plain values."""


def resource_json(resource: Any) -> dict[str, Any]:
    """The JSON body of a model instance, as ADF receives it."""
    body: dict[str, Any] = resource.serialize()
    return body
