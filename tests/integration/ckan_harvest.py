"""Read a DCAT catalogue the way a CKAN portal harvests it, and print what CKAN would store.

Run as ``python ckan_harvest.py CATALOGUE.ttl PROFILE`` (PROFILE: ``euro_dcat_ap_2`` or
``euro_dcat_ap_3``, ckanext-dcat's profile names). ckanext-dcat's own RDF parser (the one
its DCAT harvesters call) turns the catalogue into CKAN dataset dicts; no CKAN server,
database or configuration is needed for that. A separate process because importing CKAN
sets up Flask, SQLAlchemy and logging state the test process should not share. Prints one
JSON list of the dataset dicts.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    from ckanext.dcat.processors import RDFParser

    path, profile = Path(argv[0]), argv[1]
    parser = RDFParser(profiles=[profile])
    parser.parse(path.read_text(encoding="utf-8"), _format="turtle")
    datasets = sorted(parser.datasets(), key=lambda d: d.get("title") or "")
    json.dump(datasets, sys.stdout, ensure_ascii=False, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
