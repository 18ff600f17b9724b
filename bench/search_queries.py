#!/usr/bin/env python3
"""What a shopper's searches find in the demo catalog: query -> filters read from the words -> top results.

    .venv/bin/python bench/search_queries.py

The relevance floor and query understanding (search/services.py: search_catalog) are judged here
by eye and by the margins: for every query the table shows the best raw score of the words ranked
by meaning alone (search_text, no floor) beside what a shopper is shown. Made-up and unrelated
queries must show nothing; real garment queries must keep their matches. The default encoder's
floor (search/encoders/default.py: text_score_floor) was set from this table.

It imports the bundled demo catalog (48 items) into a scratch SQLite database and media folder
(deleted afterwards), analyses each item (cut-out, colours) and builds the search index; about
a minute on 2 shared cores.
"""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from search_quality import django_setup  # the same scratch database, media, index and offline encoder

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "catalog" / "demo"
TOP = 3
# (query, what a shop should do with it)
QUERIES = [
    ("xyzzy qwerty", "nothing"), ("blorp", "nothing"), ("pizza", "nothing"), ("car engine", "nothing"),
    ("hello world", "nothing"), ("laptop", "nothing"),
    ("dress", "dresses"), ("red dress", "red dresses only"), ("cheap dress under 30", "dresses up to 30"),
    ("cheap dress", "the cheapest third's dresses"), ("warm winter coat", "coats and jackets"),
    ("€50-80 jacket", "coats 50-80"), ("blue jeans", "blue jeans"), ("striped t-shirt", "striped tees first"),
    ("wool jumper", "knits"), ("summer", "summer items"), ("linen shirt", "shirts, linen first"),
    ("floral", "floral items"), ("on sale", "reduced items"), ("denim", "denim items"), ("drss", "a suggestion"),
]




def catalog_build() -> list[str]:
    """Import, analyse and index the demo catalog; the photos whose analysis failed are left out
    (deactivated) and named, so that one bad photo does not stop the measurement."""
    from django.core.management import call_command

    from catalog.models import ClothingItem
    from search.encoders import get_encoder
    from search.enrichment import item_analyse

    call_command("import_catalog", str(DEMO), verbosity=0, stdout=io.StringIO())
    encoder, failed = get_encoder(), []
    for item in ClothingItem.objects.select_related("category").order_by("pk"):
        try:
            item_analyse(item=item, encoder=encoder)
        except Exception as exc:  # reported below, beside the table
            failed.append(f"{item.source_id}: {type(exc).__name__}: {str(exc).strip().splitlines()[-1]}")
            ClothingItem.objects.filter(pk=item.pk).update(is_active=False)
    call_command("build_search_index", verbosity=0, stdout=io.StringIO())
    return failed


def rows() -> list[list[str]]:
    from search.services import search_catalog, search_text

    table = []
    for query, expected in QUERIES:
        raw = search_text(query=query, limit=1)
        outcome = search_catalog(query=query, params={}, limit=48)
        understood = outcome.understood
        filters = ", ".join(f"{key}={value}" for key, value in understood.filters().items())
        if understood.cheap:
            filters = ", ".join(filter(None, [filters, "cheap"]))
        top = "; ".join(f"{hit.item.title} (${hit.item.price})" for hit in outcome.hits[:TOP])
        if not outcome.hits and outcome.suggestions:
            top = "suggests: " + ", ".join(outcome.suggestions)
        table.append([f'"{query}"', expected, filters or "-", f'"{understood.text}"', f"{raw[0].score:.2f}" if raw else "-",
                      str(len(outcome.hits)), top or "-"])
    return table


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="ovdr-search-queries-") as workdir:
        django_setup(Path(workdir))
        from search.encoders import get_encoder
        from search.services import KNOWN_WORD_FLOOR_SHARE, RELATIVE_FLOOR

        failed = catalog_build()
        encoder = get_encoder()
        headers = ["query", "a shop should show", "filters read", "ranked words", "best raw score", "shown",
                   f"top {TOP} shown"]
        lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
        lines += ["| " + " | ".join(cell.replace("|", "/") for cell in row) + " |" for row in rows()]
        print(f"Encoder {encoder.name}; floor {encoder.text_score_floor} (x{KNOWN_WORD_FLOOR_SHARE} when a word "
              f"is the catalog's or a filter), and at least {RELATIVE_FLOOR} x the best hit.\n")
        print("\n".join(lines))
        if failed:
            print(f"\nLeft out, analysis failed ({len(failed)}): " + "; ".join(failed))


if __name__ == "__main__":
    main()
