"""Media on an S3-compatible store (MEDIA_STORAGE=s3), and walking any storage by its API.

Shoppers' files (photos, job files, outfit pictures, photo analysis masks, all under `private/`) stay
private objects: pages and the API stream them through views that check ownership, so their URLs are never
handed out. Catalog images (`catalog/`) are public: the bucket policy in docs/DEPLOY.md lets anyone read
that prefix, and their URLs are plain, unsigned ones that do not expire, so cached catalog pages and item
payloads keep working.
"""

import os
from typing import Iterator

from django.core.files.storage import FileSystemStorage, Storage
from storages.backends.s3 import S3Storage
from storages.utils import clean_name

PUBLIC_PREFIXES = ("catalog/",)


class MediaStorage(S3Storage):
    def url(self, name, parameters=None, expire=None, http_method=None):
        if self.custom_domain or not clean_name(name).startswith(PUBLIC_PREFIXES):
            return super().url(name, parameters=parameters, expire=expire, http_method=http_method)
        key = self._normalize_name(clean_name(name))
        return self.unsigned_connection.meta.client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket_name, "Key": key})


def storage_walk(storage: Storage, prefix: str = "") -> Iterator[str]:
    """Every file's name under `prefix` (a folder, "" for all), in a stable order, through the storage API
    alone, so it works the same on the filesystem and on a bucket."""
    prefix = prefix.rstrip("/")
    try:
        folders, files = storage.listdir(prefix)
    except FileNotFoundError:  # the filesystem's answer for a folder that was never made
        return
    join = (lambda name: f"{prefix}/{name}") if prefix else (lambda name: name)
    for name in sorted(files):
        yield join(name)
    for folder in sorted(folders):
        yield from storage_walk(storage, join(folder))


def storage_delete_tree(storage: Storage, prefix: str, *, keep: tuple[str, ...] = ()) -> None:
    """Delete every file under the folder `prefix` except those directly in it named in `keep`."""
    folder = prefix.rstrip("/")
    kept = {f"{folder}/{name}" for name in keep}
    for name in list(storage_walk(storage, folder)):
        if name not in kept:
            storage.delete(name)
    if isinstance(storage, FileSystemStorage):
        # A bucket has no folders, but a disk keeps the emptied ones: remove them, deepest first.
        for directory, _, _ in sorted(os.walk(storage.path(folder)), reverse=True):
            try:
                os.rmdir(directory)
            except OSError:  # not empty: it holds a kept file
                pass
