"""Back up and restore the database and the media together, as one tar.gz archive.

Archive layout: `db.json` (a Django fixture: `loaddata` reads it, and it carries no engine-specific SQL, so a
MariaDB backup restores into SQLite and back), `media/...` (every media file, read through the storage API:
MEDIA_ROOT or the bucket) and `manifest.json` (written last: creation time, applied migrations per app, rows per model, sha256 of every other member).
Rows keep their primary keys, so URLs, job ids and file names stay valid; references to permissions and
content types are natural keys, because `migrate` rebuilds those with ids of its own. The checksums catch
damage, not an attacker who also rewrites the manifest. Restoring: `ovdr.restore`.
"""

import datetime
import hashlib
import io
import json
import tarfile
import tempfile
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.core.serializers.json import Serializer as JSONSerializer
from django.db import DEFAULT_DB_ALIAS, connection, router, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Model
from django.utils import timezone

from core.storage import storage_walk

FORMAT = 1
MANIFEST, FIXTURE, MEDIA = "manifest.json", "db.json", "media"
# Rebuilt by `migrate` (content types, permissions) or worth nothing in another database: sign-ins, and
# django-q2's task results (a log nothing reads) and ORM queue (pickled messages for one broker; queued jobs
# that lose theirs are failed by the reaper). Schedules are configuration and are kept.
EXCLUDED_APPS = {"contenttypes", "sessions"}
# The catalog's version too: it names the pages cached for one database's rows (catalog/pages.py); a
# restore replaces it instead (ovdr/restore.py).
EXCLUDED_MODELS = {"auth.permission", "django_q.task", "django_q.ormq", "catalog.catalogversion"}
# `migrate` gives these new ids in each database, so rows refer to them by natural key.
REBUILT_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission"}


class BackupError(Exception):
    """The archive cannot be restored here; nothing was changed."""


class _ExactEncoder(DjangoJSONEncoder):
    """Django's encoder cuts timestamps to milliseconds; a restore gives back the exact ones."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class _FixtureSerializer(JSONSerializer):
    """Natural keys only for rows that `migrate` rebuilds with ids of its own. Every other row keeps its id,
    so a foreign key to it stays a plain id and loads without a lookup per row."""

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = field.related_model._meta.label_lower in REBUILT_BY_MIGRATE
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        self.use_natural_foreign_keys = field.related_model._meta.label_lower in REBUILT_BY_MIGRATE
        super().handle_m2m_field(obj, field)


class Sha256Reader:
    """Hashes what tarfile reads, so a file is read once and its checksum is of the archived bytes."""

    def __init__(self, stream):
        self.stream, self.sha256 = stream, hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.sha256.update(data)
        return data


def backup_models() -> list[type[Model]]:
    """What a backup holds. Their order does not matter: loading defers foreign-key checks to the end."""
    return [
        model for model in apps.get_models()
        if model._meta.can_migrate(connection)  # a table of its own: no proxies, no unmanaged models
        and router.allow_migrate_model(DEFAULT_DB_ALIAS, model)
        and model._meta.app_label not in EXCLUDED_APPS and model._meta.label_lower not in EXCLUDED_MODELS
    ]


def backup_default_path() -> Path:
    return Path(settings.BACKUP_DIR) / f"ovdr-{timezone.now():%Y%m%dT%H%M%SZ}.tar.gz"


def migrations_applied() -> dict[str, list[str]]:
    applied = defaultdict(list)
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied[app_label].append(name)
    return dict(applied)


def row_counts(models: list[type[Model]]) -> dict[str, int]:
    return {model._meta.label_lower: model._base_manager.count() for model in models}


@contextmanager
def database_snapshot():
    """One transaction that reads the whole database as it was at its first read.

    Django opens MariaDB/MySQL connections in READ COMMITTED, where each query sees the latest commits;
    this transaction asks for REPEATABLE READ, where InnoDB serves every read from one snapshot. On SQLite a
    transaction's first read fixes what it sees (its shared lock, or its WAL snapshot) until it ends.
    Inside an outer transaction the outer one's isolation applies.
    """
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "mysql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def _objects(models: list[type[Model]]):
    """Every row, with its content type and its many-to-many links fetched per chunk, not per row."""
    for model in models:
        natural = [field.name for field in model._meta.concrete_fields
                   if field.many_to_one and field.related_model._meta.label_lower in REBUILT_BY_MIGRATE]
        rows = model._base_manager.select_related(*natural).prefetch_related(
            *[field.name for field in model._meta.local_many_to_many])
        yield from rows.order_by(model._meta.pk.name).iterator(chunk_size=1000)


def _add_stream(tar: tarfile.TarFile, stream, *, arcname: str, size: int) -> str:
    info = tarfile.TarInfo(arcname)
    info.size, info.mtime, info.mode = size, int(timezone.now().timestamp()), 0o644
    reader = Sha256Reader(stream)
    tar.addfile(info, reader)
    return reader.sha256.hexdigest()


def _add_bytes(tar: tarfile.TarFile, data: bytes, arcname: str) -> None:
    info = tarfile.TarInfo(arcname)
    info.size, info.mtime = len(data), int(timezone.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _media_add(tar: tarfile.TarFile, storage: Storage) -> dict[str, str]:
    """Every media file, read through the storage API (the filesystem or a bucket), in a stable order."""
    files = {}
    for name in storage_walk(storage):
        arcname = f"{MEDIA}/{name}"
        try:
            with storage.open(name, "rb") as stream:
                files[arcname] = _add_stream(tar, stream, arcname=arcname, size=storage.size(name))
        except FileNotFoundError:  # deleted since the listing (a shopper removed a photo): gone anyway
            continue
    return files


def backup_create(*, path: Path) -> dict:
    """Write the archive to `path` (via a `.partial` file, so a failed backup leaves nothing that looks
    whole) and return its manifest."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.partial")
    models = backup_models()
    manifest = {"format": FORMAT, "created_at": timezone.now().isoformat(), "django": django.get_version(),
                "database": connection.vendor}
    try:
        with tempfile.TemporaryDirectory(dir=path.parent) as work, tarfile.open(partial, "w:gz") as tar:
            fixture = Path(work) / FIXTURE
            with database_snapshot(), fixture.open("w", encoding="utf-8") as stream:
                manifest.update(migrations=migrations_applied(), rows=row_counts(models))
                _FixtureSerializer().serialize(_objects(models), stream=stream, cls=_ExactEncoder)
            with fixture.open("rb") as stream:
                files = {FIXTURE: _add_stream(tar, stream, arcname=FIXTURE, size=fixture.stat().st_size)}
            # Media files are written once under fresh names, so reading them after the snapshot is safe.
            files.update(_media_add(tar, default_storage))
            manifest.update(media_files=len(files) - 1, files=files)
            _add_bytes(tar, json.dumps(manifest, indent=2, sort_keys=True).encode(), MANIFEST)
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return manifest
