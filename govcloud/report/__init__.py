"""The auditor's compliance report (等保 2.0 符合性报告): evidence in, JSON/HTML/PDF and a manifest out.

Modules, in the order data flows through them:

- ``errors``      — the one input error type (file, field, reason) the CLI turns into exit code 2.
- ``digests``     — SHA-256 and SM3 (国密, GB/T 32905-2016) of files and bytes.
- ``catalogue``   — loads ``policies/catalogue.yaml`` (``govcloud.catalogue/v1``).
- ``evidence``    — loads one stack's evidence directory; missing/corrupt files become notes, never passes.
- ``attribution`` — which information system a resource or host belongs to.
- ``status``      — derives 符合 / 部分符合 / 不符合 / 不适用 / 待人工核查 from evidence rows.
- ``dr``          — drill results against each system's RTO/RPO targets and GB/T 20988 level.
- ``build``       — assembles the ``govcloud.report/v1`` document (``govcloud.contracts.report``).
- ``diff``        — compares with a previous report (new failures, fixed, unchanged) and the trend.
- ``manifest``    — the evidence manifest and the report's own digests; ``verify`` re-checks them.
- ``charts``, ``html`` — the self-contained bilingual HTML; ``pdf`` prints it with headless Chromium.
"""

from __future__ import annotations
