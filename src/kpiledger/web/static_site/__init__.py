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
    nation/, pref/<code>/, fields/, field/<field>/   the comparison pages that the app has,
                                        with their CSV tables (nation/prefectures.csv, …);
                                        a year or page number as a folder (year-2023/, page-2/)
    en/…                                the same pages in English (unless --no-english)
    api/v1/…json                        the REST API's answers per organization and year
    data/kpis.csv, observations.csv, projects.csv, organizations.csv; datapackage.json
    static/…                            CSS, JS, ECharts (from the static finders)

A static site answers no query: forms (the organization search, a field page's organization
box) are left out, and a link's other parameters (a sort order) lead to the page as first
shown. A site of one organization (--org) keeps the text of links to pages it lacks.

Modules: `links` (addresses → files), `kinds` (the table of page kinds above one
organization), `national` (those pages, rendered by their views), `organization` (one
organization's pages and files, loaded once), `api_files` (the API's answers), `pages` (writing
a page), `templates` (templates folded per language), `output` (the atomic output folder) and
`build` (the workers and the whole run; the national CSV files and data package).
"""
