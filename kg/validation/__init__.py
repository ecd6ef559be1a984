"""The parts of ``kg.validate``: the report types (``report``), the ontology and shapes
read once per run (``schema``), validating one case or publication graph (``graph``) and
scoring its recommended fields (``completeness``). Use :func:`kg.validate.validate_files`."""
