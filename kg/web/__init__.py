"""The vlms-kg web site: takes a store (and its private read-only SPARQL server), gives
the pages ``vlmskg serve`` serves: home, cases, one page per case, the stored questions,
the pooled analysis and a SPARQL editor and endpoint.

A thin shell over the library: pages read :mod:`kg.api`, :mod:`kg.analysis` and
:mod:`kg.queries`; templates are Jinja2 with autoescaping; every asset ships in the package.

* :mod:`kg.web.site`: what the pages show, read once from the store (records, counts, terms)
* :mod:`kg.web.tables`: the case table's filters, sorting, paging and CSV
* :mod:`kg.web.facts`: one case's facts for its page (negatives, sources, notes)
* :mod:`kg.web.endpoint`: the SPARQL endpoint (a read-only oxigraph with a time limit)
* :mod:`kg.web.app`: the Flask application and its routes
* :mod:`kg.web.server`: running it with waitress until Ctrl-C
"""

from kg.web.app import create_app
from kg.web.site import Site

__all__ = ["create_app", "Site"]
