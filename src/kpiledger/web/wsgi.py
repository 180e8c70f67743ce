"""WSGI entry point (served by waitress through `kpiledger serve`): Django behind the public
page cache (web/page_cache.py)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpiledger.web.settings")

from kpiledger.web.page_cache import PublicPageCache

application = PublicPageCache(get_wsgi_application())
