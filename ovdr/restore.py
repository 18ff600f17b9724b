"""Restore an archive written by `ovdr.backups.backup_create`: all of it, or nothing.

The archive is streamed into a staging folder (beside MEDIA_ROOT on the filesystem storage) and checked there
(only plain files with relative names, checksums equal to the manifest's, migrations equal to this database's). Then one transaction
deletes the backed-up tables' rows and loads the fixture, and MEDIA_ROOT is swapped with the staged media by two
renames; a failure at any point leaves the old rows and the old media in place. On a bucket (MEDIA_STORAGE=s3)
the media goes through the storage API instead (`_replace_in_storage`).
"""

import gzip
import json
import shutil
import tarfile
import tempfile
import uuid
import zlib
from pathlib import Path, PurePosixPath

from django.contrib.sessions.models import Session
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage
from django.core import serializers
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model

from catalog.models import CatalogVersion
from core.storage import storage_walk
from ovdr.backups import (
    FIXTURE, FORMAT, MANIFEST, MEDIA, BackupError, Sha256Reader, backup_models, migrations_applied, row_counts,
)

# Rows that migrations create, so a freshly migrated database counts as empty.
SEEDED_BY_MIGRATIONS = {"catalog.category", "django_q.schedule"}
CHUNK = 1024 * 1024


def _member_name(member: tarfile.TarInfo, seen: dict[str, str]) -> str:
    """Only plain files with relative names inside the archive's layout: no links, no `..`, no duplicates."""
    name = PurePosixPath(member.name)
    if not member.isfile() or name.is_absolute() or ".." in name.parts:
        raise BackupError(f"Refusing the archive: unsafe member {member.name!r} "
                          "(only plain files with relative names, no links and no '..').")
    if str(name) not in (MANIFEST, FIXTURE) and (name.parts[0] != MEDIA or len(name.parts) < 2):
        raise BackupError(f"Refusing the archive: unexpected member {member.name!r}; it is not an OVDR backup.")
    if str(name) in seen:
        raise BackupError(f"Refusing the archive: {member.name!r} appears twice.")
    return str(name)


def _extract(*, path: Path, into: Path) -> dict[str, str]:
    """Stream every member into `into` and return the sha256 of each."""
    found: dict[str, str] = {}
    try:
        with tarfile.open(path, "r|gz") as tar:
            for member in tar:
                name = _member_name(member, found)
                target = into / name
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(member) as source, target.open("xb") as out:
                    reader = Sha256Reader(source)
                    shutil.copyfileobj(reader, out, CHUNK)
                found[name] = reader.sha256.hexdigest()
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile) as error:
        raise BackupError(f"{path} is not a readable tar.gz archive ({error}).") from error
    return found


def _manifest_verified(*, manifest_path: Path, found: dict[str, str]) -> dict:
    if MANIFEST not in found:
        raise BackupError("The archive has no manifest.json: it is not an OVDR backup.")
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        expected = dict(manifest["files"])
        if manifest["format"] != FORMAT or not {"migrations", "rows"} <= manifest.keys():
            raise ValueError(f"format {manifest['format']!r}, this code reads {FORMAT}")
    except (ValueError, TypeError, KeyError) as error:
        raise BackupError(f"The archive's manifest.json cannot be read ({error!r}).") from error
    archived = {name: sha for name, sha in found.items() if name != MANIFEST}
    differing = sorted(name for name in expected.keys() | archived.keys()
                       if expected.get(name) != archived.get(name))
    if differing or FIXTURE not in archived:
        raise BackupError(f"The archive does not match its manifest ({len(differing)} files missing, extra or "
                          f"changed, e.g. {differing[:1]}): it is damaged or was altered.")
    return manifest


def _migrations_check(manifest: dict) -> None:
    here, there = migrations_applied(), manifest["migrations"]
    if here == there:
        return
    differing = sorted(app for app in here.keys() | there.keys() if here.get(app) != there.get(app))
    detail = "; ".join(f"{app}: backup at {(there.get(app) or ['none'])[-1]}, database at "
                       f"{(here.get(app) or ['none'])[-1]}" for app in differing)
    raise BackupError(f"The backup was taken at another migration state ({detail}). Migrate this database to the "
                      "backup's version (`manage.py migrate <app> <migration>`, or deploy the code that wrote it) "
                      "and restore again.")


def database_has_data() -> bool:
    """Rows that migrations do not create: anything a person or the app added."""
    return any(model._base_manager.exists() for model in backup_models()
               if model._meta.label_lower not in SEEDED_BY_MIGRATIONS)


def _tables(model: type[Model]) -> list[str]:
    through = [field.remote_field.through for field in model._meta.local_many_to_many]
    return [model._meta.db_table] + [table._meta.db_table for table in through if table._meta.auto_created]


def _fixture_load(*, fixture: Path, models: list[type[Model]]) -> None:
    """`loaddata`, less one query per row: the tables are empty, so each row is an INSERT outright
    instead of Django's UPDATE-then-INSERT for rows that come with a primary key."""
    with connection.constraint_checks_disabled(), fixture.open("rb") as stream:
        for row in serializers.deserialize("json", stream):
            row.save(force_insert=True)
    connection.check_constraints(table_names=[model._meta.db_table for model in models])
    with connection.cursor() as cursor:  # PostgreSQL's sequences; MariaDB and SQLite move on by themselves
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


def _database_replace(*, fixture: Path, rows: dict[str, int]) -> None:
    models = backup_models()
    # Sessions go too: everyone signs in again, against the restored users.
    tables = [table for model in models for table in _tables(model)] + [Session._meta.db_table]
    # DELETE, not the flush command's TRUNCATE: MariaDB commits a TRUNCATE at once, this can roll back.
    connection.ops.execute_sql_flush(connection.ops.sql_flush(no_style(), tables))
    _fixture_load(fixture=fixture, models=models)
    if row_counts(models) != rows:
        raise BackupError("The restored rows do not match the manifest's counts; nothing was changed.")
    CatalogVersion.bump()  # raw loads move no version: pages cached before the restore must not be served


def _media_swap(*, staged: Path, media_root: Path) -> Path | None:
    """Two renames on one filesystem; returns where the media that was live now lies."""
    aside = None
    if media_root.exists():
        aside = media_root.with_name(f".{media_root.name}-previous-{uuid.uuid4().hex[:8]}")
        media_root.rename(aside)
    try:
        staged.rename(media_root)
    except BaseException:
        if aside:
            aside.rename(media_root)
        raise
    return aside


def _media_upload(*, staged: Path, storage: Storage) -> set[str]:
    """Write every staged file under its own name through the storage API (a bucket); returns the names."""
    names = set()
    for source in sorted(path for path in staged.rglob("*") if path.is_file()):
        name = source.relative_to(staged).as_posix()
        storage.delete(name)  # storage never overwrites: it would save the file under another name
        with source.open("rb") as handle:
            if storage.save(name, File(handle)) != name:
                raise BackupError(f"The storage saved {name} under another name; the restore stopped.")
        names.add(name)
    return names


def _replace_in_storage(*, staging: Path, storage: Storage, rows: dict[str, int]) -> None:
    """On a bucket there is no rename to swap with: the rows are replaced in one transaction that also
    covers writing the backup's files, then the files the backup does not have are deleted. A failure
    while writing rolls the rows back but may leave some files of the backup beside the old ones (under
    their own names, which the old rows do not use); running the restore again completes it."""
    with transaction.atomic():
        _database_replace(fixture=staging / FIXTURE, rows=rows)
        restored = _media_upload(staged=staging / MEDIA, storage=storage)
    for name in list(storage_walk(storage)):
        if name not in restored:
            storage.delete(name)


def _replace(*, staging: Path, media_root: Path, rows: dict[str, int]) -> None:
    staged = staging / MEDIA
    staged.mkdir(exist_ok=True)
    aside = swapped = None
    try:
        with transaction.atomic():
            _database_replace(fixture=staging / FIXTURE, rows=rows)
            aside, swapped = _media_swap(staged=staged, media_root=media_root), True
    except BaseException:
        if swapped:  # the commit failed after the swap: the old media goes back too
            media_root.rename(staged)
            if aside:
                aside.rename(media_root)
        raise
    if aside:
        shutil.rmtree(aside)


def backup_restore(*, path: Path, overwrite: bool = False) -> dict:
    """Replace the database rows and MEDIA_ROOT with the archive's and return its manifest. Refuses (and
    changes nothing) when the archive is unsafe or damaged, was taken at other migrations, or, unless
    `overwrite`, when this database has data. Stop the web processes and workers first; rebuild the search
    index (derived data) after."""
    path, storage = Path(path), default_storage
    on_disk = isinstance(storage, FileSystemStorage)
    if not path.is_file():
        raise BackupError(f"No backup archive at {path}.")
    if not overwrite and database_has_data():
        raise BackupError("This database has data and restoring replaces all of it: confirm with --yes.")
    if on_disk:
        media_root = Path(storage.location)
        media_root.parent.mkdir(parents=True, exist_ok=True)
        # Beside MEDIA_ROOT, so the swap is a rename within one filesystem.
        staging = Path(tempfile.mkdtemp(dir=media_root.parent, prefix=f".{media_root.name}-restore-"))
    else:
        staging = Path(tempfile.mkdtemp(prefix="ovdr-restore-"))
    try:
        manifest = _manifest_verified(manifest_path=staging / MANIFEST, found=_extract(path=path, into=staging))
        _migrations_check(manifest)
        if on_disk:
            _replace(staging=staging, media_root=media_root, rows=manifest["rows"])
        else:
            _replace_in_storage(staging=staging, storage=storage, rows=manifest["rows"])
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return manifest
