"""One typed model per document the parts of govcloud exchange (契约): defined once, used by its
writer and by every reader. `base` holds the versioning and the one way of reading; each other
module holds one family of documents. docs/contracts.md describes them."""

from govcloud.contracts.base import ContractError, Document, read

__all__ = ["ContractError", "Document", "read"]
