"""Exports: the graph's cases in the formats users already work with.

Takes a :class:`kg.api.KnowledgeGraph` and the selected case ids; gives a folder of files:
``phenopackets`` (GA4GH Phenopacket v2 JSON per case and a Cohort), ``cbioportal`` (a study
folder cBioPortal imports) and ``fhir`` (an HL7 FHIR R4 Bundle per case with the mCODE STU4
profiles declared). :mod:`kg.exports.facts` gathers each case once for all three; each
format is one module; :mod:`kg.exports.folder` writes a folder atomically.
"""
