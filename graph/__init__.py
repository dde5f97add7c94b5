"""The data flow from the report to answers, in three rooms, each importing only earlier ones.

`report` (text → records) → `rdf` (records → graph, exports, catalogue, shapes) →
`sparql` (stores, the query library, results, endpoints). Each room's `__init__` names its
public API in `__all__`; other rooms and the command line import only that.
"""
