"""The whole ledger as a static site (`kpiledger publish --all -o DIR`).

Every public page is rendered with the app's own templates and presenters (no HTTP, no test
client), its links rewritten to relative file names that end in `index.html`, so the site opens
from the file system (file://) or any static host. Layout of DIR:

    index.html                          the home page (organizations)
    org/<code>/index.html               → the latest report year (as the server redirects)
    org/<code>/<year>/index.html        the report table
    org/<code>/<year>/dashboard/index.html
    org/<code>/<year>/kpi_<code>_<year>[_long].csv, kpi_<code>_<year>.json
    org/<code>/kpi/<id>/<year>/index.html   a KPI as the year's report published it
    org/<code>/kpi/<id>/index.html      → its latest year
    nation/, pref/<code>/, fields/, field/<field>/   the comparison pages that the app has
    en/…                                the same pages in English (--lang en)
    api/v1/…json                        the REST API's answers per organization and year
    data/kpis.csv, observations.csv, projects.csv, organizations.csv, datapackage.json
    static/…                            CSS, JS, ECharts (from the static finders)

Modules: `links` (addresses → files), `kinds` (the table of page kinds), `organization` (one
organization's pages and files, loaded once), `data` (JSON, CSV, the data package), `output`
(the atomic output folder) and `build` (the workers and the whole run).
"""
