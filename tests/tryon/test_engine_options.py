"""The API checks a try-on's options against the limits its engine declares, and reads the engines'
settings from Django's (the engines themselves: tests/tryon/engines/)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import image_bytes
from tryon.engines.base import EngineSettings
from tryon.engines_config import engine_settings
from tryon.models import Job

pytestmark = pytest.mark.django_db
NO_PERSON = "could not find a person"  # the check after the options': reaching it means they passed
HIGHEST = {"steps": 100, "guidance": 20.0, "seed": 2**31 - 1}


def _refusal(api, tops, capture, **body) -> str:
    upload = SimpleUploadedFile("me.jpg", image_bytes())
    photo = api.post("/api/v1/photos", {"image": upload}, format="multipart").data
    with capture(execute=True):
        response = api.post("/api/v1/tryon", {"photo_id": photo["id"], "top_id": tops[0].pk, **body}, format="json")
    assert response.status_code == 400 and not Job.objects.exists()
    return response.data["error"]["message"]


@pytest.fixture
def diffusion_configured(settings, tmp_path):
    """Weight folders that exist (nothing loads them: the checks stop before a job) and GPU workers."""
    for name in ("base", "catvton"):
        (tmp_path / name).mkdir()
    settings.TRYON_DIFFUSION_BASE_PATH, settings.TRYON_DIFFUSION_ATTN_PATH = tmp_path / "base", tmp_path / "catvton"
    settings.TRYON_GPU_CLUSTER = "gpu"
    return tmp_path


def test_engine_settings_come_from_djangos(settings, diffusion_configured):
    settings.TRYON_DIFFUSION_DEVICE = "cuda:1"
    assert engine_settings() == EngineSettings(diffusion_base_path=str(diffusion_configured / "base"),
                                               diffusion_attention_path=str(diffusion_configured / "catvton"),
                                               diffusion_device="cuda:1")


@pytest.mark.parametrize("engine", ["warp", "diffusion"])
def test_options_up_to_the_engines_limits_pass(api, tops, django_capture_on_commit_callbacks, engine,
                                               diffusion_configured):
    message = _refusal(api, tops, django_capture_on_commit_callbacks, engine=engine, options=HIGHEST)
    assert NO_PERSON in message


@pytest.mark.parametrize("options", [{"steps": 101}, {"steps": 0}, {"guidance": 20.5}, {"seed": -1}, {"size": 8}])
@pytest.mark.parametrize("engine", ["warp", "diffusion"])
def test_options_past_the_engines_limits_are_refused(api, tops, django_capture_on_commit_callbacks, engine, options,
                                                     diffusion_configured):
    message = _refusal(api, tops, django_capture_on_commit_callbacks, engine=engine, options=options)
    assert NO_PERSON not in message and next(iter(options)) in message
