"""The read-only REST API (django-ninja) under `/api/v1/`: organizations, report years,
projects, KPIs, observations and judgements of the published ledger, as JSON.

Judgements come from the same records as `kpiledger export --format json`
(`kpiledger.io.writers.records`), built from the report the pages show
(`services.reports.load_report`), so the API never judges differently from the pages.
See docs/api-rest.md.
"""
