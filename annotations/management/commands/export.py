"""Write an export to a file: the same streams as /api/v1/export/…"""

import sys

from django.core.management.base import BaseCommand

from annotations import exports
from annotations.representations import CODE_POINTS, UTF16
from annotations.selectors import AnnotationScope


class Command(BaseCommand):
    help = (
        "Export annotations: jsonl (annotated articles, as the API's article detail), jsonld (W3C Web "
        "Annotation), csv (stance table) or baly (claim-centred stance JSON)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=exports.FORMATS, required=True)
        parser.add_argument("--output", default="-", help="file to write; - for standard output")
        parser.add_argument("--offsets", choices=[CODE_POINTS, UTF16], default=CODE_POINTS, help="jsonl only")
        parser.add_argument("--all", action="store_true", help="jsonl/jsonld: include articles without annotations")
        parser.add_argument("--layer", default="", help="final, all, or an annotator's username (jsonl, jsonld, csv); default both layers")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="jsonld: where annotation ids point")

    def handle(self, *args, **options):
        fmt = options["format"]
        scope = AnnotationScope(layer=options["layer"])
        if fmt == "jsonl":
            chunks = exports.iter_articles_jsonl(offsets=options["offsets"], include_all=options["all"], scope=scope)
        elif fmt == "jsonld":
            chunks = exports.iter_web_annotations(base_url=options["base_url"], include_all=options["all"], scope=scope)
        elif fmt == "csv":
            chunks = exports.iter_stance_csv(scope)
        else:
            chunks = exports.iter_baly_json()
        to_file = options["output"] != "-"
        out = open(options["output"], "wb") if to_file else sys.stdout.buffer
        try:
            for chunk in chunks:  # UTF-8 bytes (JSON Lines) or text (the others)
                out.write(chunk if isinstance(chunk, bytes) else chunk.encode("utf-8"))
        finally:
            if to_file:
                out.close()
            else:
                out.flush()
        if to_file:
            self.stderr.write(f"Wrote {fmt} export to {options['output']}")
