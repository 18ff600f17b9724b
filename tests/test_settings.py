"""Settings come from the environment with safe development defaults."""

import os
import subprocess
import sys

from django.conf import settings

PRINT_DB = "import django; django.setup(); from django.conf import settings as s; print(s.DATABASES['default']['ENGINE'])"


def _python(code: str, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG")}
    environment.update(DJANGO_SETTINGS_MODULE="ovdr.settings", **env)
    return subprocess.run([sys.executable, "-c", code], cwd=settings.BASE_DIR, env=environment,
                          capture_output=True, text=True, timeout=60)


def test_development_defaults_to_sqlite_and_console_email():
    result = _python(PRINT_DB + "; print(s.EMAIL_BACKEND)")
    assert result.stdout.split() == ["django.db.backends.sqlite3", "django.core.mail.backends.console.EmailBackend"]


def test_database_url_selects_mysql():
    result = _python(PRINT_DB, DATABASE_URL="mysql://root@127.0.0.1:3306/test")
    assert result.stdout.strip() == "django.db.backends.mysql"


def test_secret_key_is_required_when_debug_is_off():
    result = _python(PRINT_DB, DEBUG="False")
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    assert _python(PRINT_DB, DEBUG="False", SECRET_KEY="x" * 50).returncode == 0


def test_production_settings_turn_on_secure_cookies():
    code = "import django; django.setup(); from django.conf import settings as s; " \
           "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0)"
    result = _python(code, DEBUG="False", SECRET_KEY="x" * 50)
    assert result.stdout.split() == ["True", "True", "True"]


def test_deploy_checks_pass_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=settings.BASE_DIR,
        capture_output=True, text=True, timeout=120,
        env={**{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG")},
             "DEBUG": "False", "SECRET_KEY": "k" * 30 + "-production-like-secret-" + "z" * 30,
             "ALLOWED_HOSTS": "ovdr.example.com", "CACHE_URL": "redis://127.0.0.1:6379/1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


GPU_CONF = ("import django; django.setup(); from django_q.conf import Conf; from jobs.services import STALE_AFTER; "
            "print(Conf.CLUSTER_NAME, Conf.WORKERS, Conf.TIMEOUT, Conf.RETRY, STALE_AFTER.total_seconds())")


def test_the_gpu_cluster_runs_one_worker_with_its_own_timeout_and_the_reaper_waits_for_it():
    gpu = _python(GPU_CONF, TRYON_GPU_CLUSTER="gpu", TRYON_GPU_TIMEOUT="900", Q_CLUSTER_NAME="gpu", Q_WORKERS="4",
                  Q_TIMEOUT="600")
    assert gpu.stdout.split() == ["gpu", "1", "900", "1500", str(900 * 2 + 120.0)], gpu.stderr
    cpu = _python(GPU_CONF, TRYON_GPU_CLUSTER="gpu", TRYON_GPU_TIMEOUT="900", Q_WORKERS="4", Q_TIMEOUT="600")
    assert cpu.stdout.split() == ["ovdr", "4", "600", "660", str(900 * 2 + 120.0)], cpu.stderr


def test_the_gpu_cluster_cannot_share_the_cpu_workers_name():
    result = _python(GPU_CONF, TRYON_GPU_CLUSTER="ovdr")
    assert result.returncode != 0 and "must differ from each other and from 'ovdr'" in result.stderr


def test_the_bulk_cluster_has_its_own_name_and_workers():
    bulk = _python(GPU_CONF, Q_BULK_CLUSTER="bulk", Q_CLUSTER_NAME="bulk", Q_WORKERS="4", Q_BULK_WORKERS="1")
    assert bulk.stdout.split()[:2] == ["bulk", "1"], bulk.stderr
    for clash in ({"Q_BULK_CLUSTER": "ovdr"}, {"Q_BULK_CLUSTER": "gpu", "TRYON_GPU_CLUSTER": "gpu"}):
        result = _python(GPU_CONF, **clash)
        assert result.returncode != 0 and "must differ from each other" in result.stderr, clash


STORAGE_CONF = ("import django; django.setup(); from django.conf import settings as s; "
                "from django.core.files.storage import default_storage, storages; default_storage._setup(); "
                "print(type(default_storage._wrapped).__name__, 'search_index' in s.STORAGES); "
                "print(storages['search_index'].bucket_name, storages['search_index'].location, "
                "default_storage.location, default_storage.file_overwrite)")


def test_media_storage_selects_the_filesystem_by_default_and_a_bucket_with_s3():
    assert _python(STORAGE_CONF).stdout.split()[:2] == ["FileSystemStorage", "False"]
    s3 = _python(STORAGE_CONF, MEDIA_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="shop", AWS_S3_ENDPOINT_URL="http://minio:9000")
    assert s3.stdout.split() == ["MediaStorage", "True", "shop", "search-index", "media", "False"], s3.stderr


IMG_SRC = ("import django; django.setup(); from django.conf import settings as s; "
           "print(*s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])")


def test_pages_may_show_catalog_images_from_the_bucket():
    assert _python(IMG_SRC).stdout.split() == ["'self'", "data:", "blob:"]
    bucket = {"MEDIA_STORAGE": "s3", "AWS_STORAGE_BUCKET_NAME": "shop"}
    for env, origins in [
        ({"AWS_S3_ENDPOINT_URL": "http://minio.internal:9000"}, ["http://minio.internal:9000"]),
        ({"AWS_S3_REGION_NAME": "eu-west-1"}, ["https://shop.s3.amazonaws.com", "https://shop.s3.eu-west-1.amazonaws.com"]),
        ({"AWS_S3_CUSTOM_DOMAIN": "img.example.com"}, ["https://img.example.com"]),
    ]:
        result = _python(IMG_SRC, **bucket, **env)
        assert result.stdout.split()[3:] == origins, result.stderr
    assert "AWS_STORAGE_BUCKET_NAME" in _python(STORAGE_CONF, MEDIA_STORAGE="s3").stderr  # required
    assert "MEDIA_STORAGE must be" in _python(STORAGE_CONF, MEDIA_STORAGE="ftp").stderr
