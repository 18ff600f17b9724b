"""Across machines: nothing shared but the database and a bucket (MEDIA_STORAGE=s3).

A real S3 protocol server (moto's server mode) listens on a free loopback port. The test process is the web
server (Django's test client), the workers are real `manage.py qcluster` processes; each has its own, empty
MEDIA_ROOT and SEARCH_INDEX_DIR, so anything that still read or wrote a local path instead of the storage
would fail or leave a file behind.
"""

import io
import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog.models import ClothingItem
from jobs.models import Job
from search.index import VectorIndex
from search.store import forget_loaded_indexes
from tests.factories import garment, small_catalog_items
from tests.workers import job_wait, qcluster, skip_without_a_shared_database, worker_env

boto3 = pytest.importorskip("boto3")
moto_server = pytest.importorskip("moto.server")

pytestmark = [pytest.mark.mariadb, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
PEOPLE = Path(django_settings.BASE_DIR).parent / "shared" / "data" / "people"
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "ovdr-test", "AWS_SECRET_ACCESS_KEY": "ovdr-test-secret",
               "AWS_S3_REGION_NAME": "us-east-1"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=_free_port(), verbose=False)
    server.start()
    yield f"http://127.0.0.1:{server._port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, tmp_path, monkeypatch):
    """A fresh bucket, and this process (the web server) configured as MEDIA_STORAGE=s3 configures it;
    returns the environment a worker process needs for the same."""
    name = f"ovdr-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
                          aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"], region_name="us-east-1")
    client.create_bucket(Bucket=name)
    client.put_bucket_policy(Bucket=name, Policy=json.dumps(public_catalog_policy(name)))
    env = {"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": name, "AWS_S3_ENDPOINT_URL": s3_endpoint,
           **CREDENTIALS}
    for key, value in env.items():
        if key.startswith("AWS_"):
            setattr(settings, key, value)
    settings.STORAGES = {**settings.STORAGES, **settings.S3_STORAGES}
    settings.MEDIA_ROOT, settings.SEARCH_INDEX_DIR = tmp_path / "web-media", tmp_path / "web-index"
    settings.SEARCH_INDEX_POLL_SECONDS = 0
    forget_loaded_indexes()
    yield {"client": client, "name": name, "env": env}
    forget_loaded_indexes()


def public_catalog_policy(bucket: str) -> dict:
    """The bucket policy of docs/DEPLOY.md: anyone may read catalog images, nothing else."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "PublicCatalogImages", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/media/catalog/*"}]}


def _keys(bucket) -> list[str]:
    pages = bucket["client"].get_paginator("list_objects_v2").paginate(Bucket=bucket["name"])
    return [item["Key"] for page in pages for item in page.get("Contents", [])]


def _files(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def _search(api, query: str, *, seconds: float) -> list[int]:
    """Text search until it answers with results (the web process fetches the published index)."""
    deadline = time.monotonic() + seconds
    while True:
        response = api.get("/api/v1/search", {"q": query, "limit": 5})
        if response.status_code == 200 and response.data["results"] or time.monotonic() > deadline:
            assert response.status_code == 200, response.content
            return [hit["item"]["id"] for hit in response.data["results"]]
        time.sleep(1)


def _build_index(tmp_path: Path, bucket, name: str) -> None:
    """`manage.py build_search_index` in another process, with its own index folder and media folder."""
    env = worker_env(**bucket["env"], MEDIA_ROOT=str(tmp_path / f"{name}-media"),
                     SEARCH_INDEX_DIR=str(tmp_path / f"{name}-index"))
    result = subprocess.run([sys.executable, "manage.py", "build_search_index", "--verbosity", "0"],
                            cwd=django_settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert not _files(tmp_path / f"{name}-media")


@pytest.mark.skipif(not PEOPLE.is_dir(), reason="../shared/data/people is not present")
def test_web_and_workers_share_only_the_database_and_the_bucket(bucket, api, anon_api, tmp_path, settings,
                                                                monkeypatch):
    skip_without_a_shared_database()
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)
    settings.SEARCH_ENRICH_ON_SAVE, settings.Q_BULK_CLUSTER = True, "bulk"
    catalog = small_catalog_items("dress", "tee", "jeans")
    item = anon_api.get(f"/api/v1/clothes/{catalog['dress'].pk}").data
    # A catalog image is a plain, unsigned URL of the bucket, readable by anyone.
    assert item["image"].startswith(f"{bucket['env']['AWS_S3_ENDPOINT_URL']}/{bucket['name']}/media/catalog/")
    assert "Signature" not in item["image"]
    with urllib.request.urlopen(item["image"]) as answer:
        assert Image.open(answer).size == (120, 160)

    # Enrichment was queued for the bulk cluster: a worker of the interactive one never takes it.
    folders = {name: tmp_path / f"{name}-media" for name in ("web", "interactive", "bulk")}
    common = {**bucket["env"], "Q_BULK_CLUSTER": "bulk", "SEARCH_ENRICH_ON_SAVE": "True"}
    with qcluster(**common, MEDIA_ROOT=str(folders["interactive"]),
                  SEARCH_INDEX_DIR=str(tmp_path / "interactive-index")):
        photo = api.post("/api/v1/photos", {"image": SimpleUploadedFile(
            "me.jpg", (PEOPLE / "omnitry_person_bottom_cloth.jpg").read_bytes())}, format="multipart").data
        assert photo["tryon_problems"] == {}, photo
        tryon = api.post("/api/v1/tryon", {"photo_id": photo["id"], "top_id": catalog["tee"].pk}, format="json")
        assert tryon.status_code == 202, tryon.data
        tryon_job = job_wait(Job.objects.get(pk=tryon.data["id"]), seconds=120)
        assert tryon_job.status == "succeeded", tryon_job.error
        assert not ClothingItem.objects.exclude(enrichment={}).exists()  # the bulk work still waits
        with qcluster(**common, Q_CLUSTER_NAME="bulk", MEDIA_ROOT=str(folders["bulk"]),
                      SEARCH_INDEX_DIR=str(tmp_path / "bulk-index")):
            # The bulk worker analyses and indexes the items; the web process fetches the published index.
            assert _search(anon_api, "a red summer dress", seconds=180)[0] == catalog["dress"].pk
            search = api.post("/api/v1/search/image", {"photo_id": photo["id"]}, format="multipart")
            assert search.status_code == 202, search.data
            search_job = job_wait(Job.objects.get(pk=search.data["id"]), seconds=120)
    assert search_job.status == "succeeded", search_job.error
    matches = [match["id"] for garment_found in search_job.result["garments"] for match in garment_found["matches"]]
    assert set(matches) <= {item.pk for item in catalog.values()} and matches

    # Results come from the bucket through the ownership-checking views.
    for job in (tryon_job, search_job):
        polled = api.get(f"/api/v1/jobs/{job.pk}").data
        image = api.get(polled["result_url"])
        assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
        assert Image.open(io.BytesIO(b"".join(image.streaming_content))).size
    outfit = api.post("/api/v1/combinations", {"job_id": str(tryon_job.pk)}, format="json")
    assert outfit.status_code == 201, outfit.data
    assert api.get(outfit.data["result_image_url"]).status_code == 200
    assert api.get(f"/api/v1/photos/{photo['id']}/file").status_code == 200

    keys = _keys(bucket)
    # Shoppers' files are private objects: without a signature the store refuses them.
    photo_key = next(key for key in keys if key.startswith("media/private/photos/"))
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{bucket['env']['AWS_S3_ENDPOINT_URL']}/{bucket['name']}/{photo_key}")
    assert refused.value.code == 403
    assert f"media/private/jobs/{tryon_job.pk}/result.jpg" in keys
    assert any(key.startswith("media/private/photos/") for key in keys)
    assert any(key.startswith("media/private/analysis/") for key in keys)
    assert any(key.startswith("media/catalog/masks/") for key in keys)  # written by the bulk worker
    assert {"search-index/text.json", "search-index/image.json"} <= set(keys)
    for name, folder in folders.items():
        assert not _files(folder), f"the {name} process wrote {_files(folder)} to its local media folder"


def test_an_index_published_by_one_process_is_fetched_by_another(bucket, anon_api, tmp_path):
    skip_without_a_shared_database()
    dress = garment(slug="dresses", title="Red Floral Summer Dress", color=(200, 30, 40),
                    attributes={"type": "dress", "color": "red"})
    garment(slug="bottoms", title="Blue Denim Jeans", color=(40, 70, 160), attributes={"type": "jeans"})
    # No index anywhere yet: search is unavailable, as on one machine.
    assert anon_api.get("/api/v1/search", {"q": "dress"}).status_code == 503

    _build_index(tmp_path, bucket, "builder")
    assert _search(anon_api, "a red dress", seconds=5)[0] == dress.pk
    web_index, published = tmp_path / "web-index", VectorIndex.stored_meta(tmp_path / "builder-index", space="text")
    first = VectorIndex.stored_version(web_index, space="text")
    assert first == published["version"]  # the web process's cache holds the builder's version, checked

    coat = garment(slug="tops", title="Green Wool Winter Coat", color=(30, 120, 40),
                   attributes={"type": "coat", "color": "green", "material": "wool"})
    assert coat.pk not in _search(anon_api, "green wool winter coat", seconds=0)
    _build_index(tmp_path, bucket, "second-builder")  # another machine, another cache, a new version
    assert _search(anon_api, "green wool winter coat", seconds=5)[0] == coat.pk
    second = VectorIndex.stored_version(web_index, space="text")
    assert second not in (None, first)
    names = {path.name for path in web_index.glob("text.*.faiss")}
    assert names == {f"text.{first}.faiss", f"text.{second}.faiss"}  # the version before stays for its readers


def test_a_damaged_published_index_is_refused_and_the_local_copy_kept(bucket, anon_api, tmp_path):
    skip_without_a_shared_database()
    dress = garment(slug="dresses", title="Red Floral Summer Dress", color=(200, 30, 40),
                    attributes={"type": "dress", "color": "red"})
    _build_index(tmp_path, bucket, "builder")
    assert _search(anon_api, "a red dress", seconds=5) == [dress.pk]
    kept = VectorIndex.stored_version(tmp_path / "web-index", space="text")

    # A new version whose data file does not match the checksum its meta names.
    meta = VectorIndex.stored_meta(tmp_path / "builder-index", space="text")
    damaged = {**meta, "version": "f" * 32, "files": {**meta["files"], "index": {
        "name": "text.damaged.faiss", "sha256": meta["files"]["index"]["sha256"]}}}
    bucket["client"].put_object(Bucket=bucket["name"], Key="search-index/text.damaged.faiss", Body=b"not faiss")
    bucket["client"].put_object(Bucket=bucket["name"], Key="search-index/text.json",
                                Body=json.dumps(damaged).encode())
    forget_loaded_indexes()  # a fresh process: it must still answer from its verified cache
    assert _search(anon_api, "a red dress", seconds=0) == [dress.pk]
    assert VectorIndex.stored_version(tmp_path / "web-index", space="text") == kept
    assert not (tmp_path / "web-index" / "text.damaged.faiss").exists()


def _media_objects(bucket) -> dict[str, bytes]:
    return {key: bucket["client"].get_object(Bucket=bucket["name"], Key=key)["Body"].read()
            for key in _keys(bucket) if key.startswith("media/")}


def test_backup_and_restore_read_and_write_the_media_in_the_bucket(bucket, tmp_path):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from accounts.models import Photo
    from ovdr.backups import backup_create
    from ovdr.restore import backup_restore
    from tests.factories import UserFactory, image_bytes

    photo = Photo.objects.create(owner=UserFactory(), image=ContentFile(image_bytes(color=(10, 20, 30)), name="me.jpg"))
    garment(slug="tops", title="White Cotton T-Shirt", color=(245, 245, 245))
    before = _media_objects(bucket)
    assert len(before) == 2
    manifest = backup_create(path=tmp_path / "backup.tar.gz")
    assert manifest["media_files"] == 2 and set(before) <= set(manifest["files"])  # bucket key = archive name

    photo.image.delete(save=False)
    default_storage.save("private/photos/added-after.jpg", ContentFile(image_bytes(color=(1, 1, 1))))
    assert _media_objects(bucket) != before
    backup_restore(path=tmp_path / "backup.tar.gz", overwrite=True)
    assert _media_objects(bucket) == before  # byte for byte, and nothing else
    assert not _files(tmp_path / "web-media")


@pytest.mark.browser
@pytest.mark.parametrize("width", [1366, 390])
def test_catalog_pages_show_images_straight_from_the_bucket(bucket, live_server, settings, width, monkeypatch):
    """In a real browser: the catalog's images load from the bucket's address under the site's
    Content-Security-Policy (which MEDIA_STORAGE=s3 opens to that origin, as ovdr/settings.py does)."""
    import shutil as shell

    chromium = shell.which("chromium")
    playwright = pytest.importorskip("playwright.sync_api")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed")
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop runs in this thread
    endpoint = bucket["env"]["AWS_S3_ENDPOINT_URL"]
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {**directives, "img-src": [*directives["img-src"], endpoint]}}
    for title, color in [("Red Floral Summer Dress", (200, 30, 40)), ("Blue Denim Jeans", (40, 70, 160)),
                         ("White Cotton T-Shirt", (235, 235, 235))]:
        garment(slug="tops", title=title, color=color)
    problems: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.on("console", lambda message: "Content Security Policy" in message.text
                    and problems.append(message.text))
            page.on("response", lambda r: r.status >= 400 and problems.append(f"{r.status} {r.url}"))
            page.goto(f"{live_server.url}/catalog/")
            images = page.locator("img[loading=lazy]")
            assert images.count() == 3
            for index in range(3):
                images.nth(index).scroll_into_view_if_needed()
                page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=images.nth(index)
                                       .element_handle(), timeout=10_000)
                assert images.nth(index).get_attribute("src").startswith(f"{endpoint}/{bucket['name']}/media/catalog/")
            folder = Path(django_settings.BASE_DIR) / "test-artifacts" / "screenshots"
            folder.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(folder / f"s3-catalog-{width}.png"), full_page=True)
        finally:
            browser.close()
    assert not problems, problems
    assert not _files(tmp_media := Path(settings.MEDIA_ROOT)), _files(tmp_media)
