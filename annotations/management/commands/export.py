"""Write an export to a file: the same streams as /api/v1/export/…"""

import os
import sys
import tempfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from annotations import exports
from annotations.errors import InvalidInput
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
        parser.add_argument("--layer", default="", help="final, all, or an annotator's username; default both layers")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="jsonld: where annotation ids point")

    # The command speaks English, so the services' messages it passes on do too.
    @no_translations
    def handle(self, *args, **options):
        fmt = options["format"]
        try:
            scope = AnnotationScope(layer=options["layer"])
        except InvalidInput as exc:
            raise CommandError(exc.message) from None
        if fmt == "jsonl":
            chunks = exports.iter_articles_jsonl(offsets=options["offsets"], include_all=options["all"], scope=scope)
        elif fmt == "jsonld":
            chunks = exports.iter_web_annotations(base_url=options["base_url"], include_all=options["all"], scope=scope)
        elif fmt == "csv":
            chunks = exports.iter_stance_csv(scope)
        else:
            chunks = exports.iter_baly_json(scope)
        if options["output"] == "-":
            self._to_stdout(chunks)
            return
        self._to_file(chunks, Path(options["output"]))
        self.stderr.write(f"Wrote {fmt} export to {options['output']}")

    @staticmethod
    def _bytes(chunk) -> bytes:
        return chunk if isinstance(chunk, bytes) else chunk.encode("utf-8")  # JSON Lines come as bytes, the others as text

    def _to_file(self, chunks, path: Path) -> None:
        """Written beside the target and moved onto it when complete: a failed
        export leaves an earlier file as it was, and never half a file."""
        if path.is_dir():
            raise CommandError(f"Cannot write {path}: it is a folder; name a file in it.")
        if not path.parent.is_dir():
            raise CommandError(f"Cannot write {path}: the folder {path.parent} does not exist.")
        if path.exists() and not path.is_file() or path.is_symlink():
            # A FIFO, a device or a symlink: written into, not replaced by a new file.
            with open(path, "wb") as target:
                for chunk in chunks:
                    target.write(self._bytes(chunk))
            return
        partial = tempfile.NamedTemporaryFile("wb", dir=path.parent, prefix=f".{path.name}.", suffix=".partial", delete=False)
        try:
            with partial:
                for chunk in chunks:
                    partial.write(self._bytes(chunk))
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(partial.name, 0o666 & ~umask)  # as open() would have made it, not the temporary file's 0600
            os.replace(partial.name, path)
        except BaseException:
            os.unlink(partial.name)
            raise

    def _to_stdout(self, chunks) -> None:
        try:
            for chunk in chunks:
                sys.stdout.buffer.write(self._bytes(chunk))
            sys.stdout.buffer.flush()
        except BrokenPipeError:  # `export … | head`: the reader has seen enough
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
