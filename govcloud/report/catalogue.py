"""The clause catalogue for the report (``govcloud.catalogue/v1``): the one model and loader of
govcloud.contracts.catalogue, with the report's input error (exit 2, naming file, field, reason).

The catalogue is the spine of the report, so a malformed catalogue is an input error. Only the
repository's catalogue (policies/catalogue.yaml) is checked against the rules, checks and drills
it names (`govcloud catalogue`); the report reads any catalogue of the right shape.
"""

from __future__ import annotations

from pathlib import Path

from govcloud.contracts import catalogue as contract
from govcloud.contracts.base import ContractError
from govcloud.contracts.catalogue import CATALOGUE_SCHEMA, Catalogue, Checks, Family, Item, Text
from govcloud.report.errors import ReportInputError

__all__ = ["CATALOGUE_SCHEMA", "Catalogue", "Checks", "Family", "Item", "Text", "load_catalogue"]


def load_catalogue(path: Path) -> Catalogue:
    if not path.exists():
        raise ReportInputError(path, None, "catalogue not found (pass --catalogue PATH)")
    try:
        return contract.load_catalogue(path)
    except ContractError as exc:
        raise ReportInputError(path, exc.field, exc.reason) from None
