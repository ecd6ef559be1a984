"""Sources: reading the curated files (case and publication Turtle) into named graphs.

Takes file paths, gives one rdflib graph per file named for its case or publication, or an
:class:`kg.errors.InputError` that names the file, line and column.
"""
