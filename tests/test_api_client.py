"""The API as an integrator meets it: a valid schema, and a client generated from it that drives a
shopper's whole flow with every answer parsed into its model, errors included.

The client is generated once per session with openapi-python-client and the README's config, into a
temp folder, and talks to the app in-process (httpx's WSGI transport): no network, no server.
"""

import importlib
import json
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from openapi_spec_validator import validate

from ovdr.wsgi import application
from search.store import forget_loaded_indexes

PEOPLE = Path(settings.BASE_DIR).parent / "shared" / "data" / "people"
CONFIG = Path(settings.BASE_DIR) / "docs" / "openapi-python-client.yml"
PACKAGE = "ovdr_api_client"


@pytest.fixture(scope="session")
def schema() -> dict:
    return json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))


@pytest.fixture(scope="session")
def generated(schema, tmp_path_factory):
    """The generated package, imported: `generated("api.auth.auth_login_create")`."""
    folder = tmp_path_factory.mktemp("client")
    (folder / "schema.json").write_text(json.dumps(schema))
    generator = Path(sys.executable).parent / "openapi-python-client"
    subprocess.run([str(generator), "generate", "--path", str(folder / "schema.json"), "--meta", "none",
                    "--output-path", str(folder / PACKAGE), "--config", str(CONFIG)],
                   check=True, capture_output=True, timeout=120)
    sys.path.insert(0, str(folder))
    yield lambda name: importlib.import_module(f"{PACKAGE}.{name}")
    sys.path.remove(str(folder))


def test_the_schema_is_valid_openapi(schema):
    validate(schema)


def test_every_operation_and_parameter_is_documented(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            where = (method, path)
            assert operation.get("summary") and operation.get("description"), where
            assert "." not in operation["operationId"], where
            assert all(parameter.get("description") for parameter in operation.get("parameters", [])), where
            assert all(response.get("description") for response in operation["responses"].values()), where
            assert len(operation.get("requestBody", {}).get("content", {})) <= 1, where
            for status in {"429", "503"} & operation["responses"].keys():
                assert "Retry-After" in operation["responses"][status]["headers"], where
    assert schema["servers"]


def test_every_generated_endpoint_module_imports(generated):
    api = Path(generated("api").__file__).parent
    modules = sorted(f"api.{p.parent.name}.{p.stem}" for p in api.glob("*/*.py") if p.stem != "__init__")
    assert len(modules) >= 33
    for module in modules:
        generated(module)


@pytest.fixture
def indexed_catalog(small_catalog, tops):
    forget_loaded_indexes()
    call_command("build_search_index", verbosity=0)
    yield {**small_catalog, "tops": tops}
    forget_loaded_indexes()


def _client(generated, token: str | None = None):
    transport = {"httpx_args": {"transport": httpx.WSGITransport(app=application)}}
    if token is None:
        return generated("client").Client(base_url="http://testserver", raise_on_unexpected_status=True, **transport)
    return generated("client").AuthenticatedClient(base_url="http://testserver", token=token, prefix="Token",
                                                   raise_on_unexpected_status=True, **transport)


def _call(generated, operation: str, **arguments):
    """One operation through the generated client; its answer parsed into the generated model."""
    answer = generated(f"api.{operation}").sync_detailed(**arguments)
    assert answer.parsed is not None, (operation, answer.status_code, answer.content[:300])
    return answer


@pytest.mark.django_db
@pytest.mark.skipif(not PEOPLE.is_dir(), reason="../shared/data/people is not present")
def test_a_generated_client_drives_a_shoppers_whole_flow(
        generated, indexed_catalog, in_process_requests, django_capture_on_commit_callbacks):
    models, types = generated("models"), generated("types")
    anonymous = _client(generated)
    signed_up = _call(generated, "auth.auth_register_create", client=anonymous, body=models.RegisterRequest(
        username="integrator", password="a-long-secret-2026", password_confirm="a-long-secret-2026"))
    assert signed_up.status_code == 201 and isinstance(signed_up.parsed, models.AuthToken)
    login = _call(generated, "auth.auth_login_create", client=anonymous,
                  body=models.LoginRequest(username="integrator", password="a-long-secret-2026")).parsed
    client = _client(generated, login.token)

    upload = types.File(payload=BytesIO((PEOPLE / "omnitry_person_bottom_cloth.jpg").read_bytes()),
                        file_name="me.jpg", mime_type="image/jpeg")
    photo = _call(generated, "photos.photos_create", client=client, body=models.PhotoUploadRequest(image=upload))
    assert isinstance(photo.parsed, models.Photo) and photo.parsed.file_url.startswith("http://testserver/")

    top = indexed_catalog["jacket"]  # a garment on a floor: the plain "tops" fill their frame, which the cut-out refuses
    with django_capture_on_commit_callbacks(execute=True):
        started = _call(generated, "tryon.tryon_create", client=client, body=models.TryOnRequest(
            photo_id=photo.parsed.id, top_id=top.pk, bottom_id=None,
            options=models.TryOnOptionsRequest(seed=7)))
    assert started.status_code == 202 and isinstance(started.parsed, models.Job)
    job = _call(generated, "jobs.jobs_retrieve", client=client, id=started.parsed.id).parsed
    assert job.status == models.StatusEnum.SUCCEEDED, job.error
    assert isinstance(job.result, models.TryOnResult) and job.result.engine == "warp"
    picture = _call(generated, "jobs.jobs_file_retrieve", client=client, id=job.id,
                    name=models.JobsFileRetrieveName.RESULT)
    assert picture.parsed.payload.read(3) == b"\xff\xd8\xff" and job.result_url.startswith("http://testserver/")

    with django_capture_on_commit_callbacks(execute=True):
        search = _call(generated, "search.search_image_create", client=client,
                       body=models.ImageSearchRequest(photo_id=photo.parsed.id)).parsed
    found = _call(generated, "jobs.jobs_retrieve", client=client, id=search.id).parsed
    assert isinstance(found.result, models.ImageSearchResult), found.error
    matches = [match for garment in found.result.garments for match in garment.matches]
    assert matches and all(match.image.startswith("http://testserver/") for match in matches)

    for item in indexed_catalog["tops"][:5]:
        kept = _call(generated, "closet.closet_create", client=client, body=models.ClosetAddRequest(clothing_id=item.pk))
        assert isinstance(kept.parsed, models.ClosetItem)
    refused = _call(generated, "closet.closet_create", client=client,
                    body=models.ClosetAddRequest(clothing_id=indexed_catalog["tops"][5].pk))
    assert refused.status_code == 400 and isinstance(refused.parsed, models.Error)
    assert refused.parsed.error.code == models.ErrorCodeEnum.CATEGORY_FULL
    assert refused.parsed.error.message == "Max 5 tops items allowed. Remove one to add new."
