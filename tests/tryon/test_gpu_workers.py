"""Photo-real (diffusion) try-ons on GPU workers only: their jobs wait in the GPU cluster's queue, a
server offers them only with the weights and GPU workers (and says why not), a GPU worker loads and
warms the model up before its first task, and running out of GPU memory fails that job alone.

The model is tiny and random and runs on the CPU (tests/tryon/conftest.py); "the GPU cluster" is the
django-q2 cluster named by TRYON_GPU_CLUSTER, whatever device it computes on.
"""

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
from django.conf import settings as django_settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django_q.conf import Conf  # noqa: E402
from django_q.models import OrmQ  # noqa: E402
from django_q.signals import post_spawn  # noqa: E402
from PIL import Image  # noqa: E402

from jobs.models import Job  # noqa: E402
from jobs.services import job_create  # noqa: E402
from tests.factories import image_bytes  # noqa: E402
from tryon import engines  # noqa: E402
from tryon.engines import diffusion  # noqa: E402
from tryon.engines.base import EngineSettings, GarmentInput, PersonAnalysis, RenderFailed  # noqa: E402
from tryon.engines.catvton import CatVTONPipeline, synthetic_inputs  # noqa: E402

pytestmark = pytest.mark.django_db
PEOPLE = Path(django_settings.BASE_DIR).parent / "shared" / "data" / "people"
needs_people = pytest.mark.skipif(not PEOPLE.is_dir(), reason="../shared/data/people is not present")
SMALL = {"size": [64, 48], "steps": 2}  # what the jobs here render: the API takes no size, a job may


@pytest.fixture
def weights(settings, catvton_models):
    settings.TRYON_DIFFUSION_BASE_PATH = str(catvton_models["base"])
    settings.TRYON_DIFFUSION_ATTN_PATH = str(catvton_models["attention"])
    settings.TRYON_DIFFUSION_DEVICE = "cpu"


@pytest.fixture
def gpu_workers(settings):
    settings.TRYON_GPU_CLUSTER = "gpu"


@pytest.fixture
def fresh_engines(monkeypatch):
    """No engine built by an earlier test: each test sees what it loads itself."""
    monkeypatch.setattr(engines, "_engines", {})


@pytest.fixture
def renders(monkeypatch):
    """The (H, W) of every picture the pipeline renders, warm-ups included."""
    seen, real = [], CatVTONPipeline.__call__

    def spy(self, **inputs):
        seen.append(inputs["person"].shape[:2])
        return real(self, **inputs)

    monkeypatch.setattr(CatVTONPipeline, "__call__", spy)
    return seen


def _upload(api, data: bytes) -> int:
    response = api.post("/api/v1/photos", {"image": SimpleUploadedFile("me.jpg", data)}, format="multipart")
    assert response.status_code == 201
    return response.data["id"]


# --- what the server offers, and why not -------------------------------------------------------

@pytest.mark.parametrize("paths, gpu, reason", [
    (("", ""), "gpu", "no weights are configured"),
    (("/nowhere/base", "/nowhere/catvton"), "gpu", "its weights are not on this server"),
    (None, "", "no GPU workers are configured"),
])
def test_photo_real_is_refused_with_the_reason_when_the_server_cannot_run_it(
        api, tops, settings, weights, django_capture_on_commit_callbacks, paths, gpu, reason):
    if paths:
        settings.TRYON_DIFFUSION_BASE_PATH, settings.TRYON_DIFFUSION_ATTN_PATH = paths
    settings.TRYON_GPU_CLUSTER = gpu
    photo_id = _upload(api, image_bytes())
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/tryon", {"photo_id": photo_id, "top_id": tops[0].pk, "engine": "diffusion"},
                            format="json")
    assert response.status_code == 400 and not Job.objects.exists()
    assert response.data["error"]["fields"]["engine"] == [
        f"Photo-real try-on is not available on this server: {reason}. Use warp."]


@pytest.mark.parametrize("has_weights, gpu, offered", [
    (True, "gpu", ["Quick preview", "Photo-real"]), (False, "gpu", ["Quick preview"]), (True, "", ["Quick preview"]),
])
def test_the_studio_offers_photo_real_only_with_the_weights_and_gpu_workers(
        client, api, shopper, settings, catvton_models, has_weights, gpu, offered):
    if has_weights:
        settings.TRYON_DIFFUSION_BASE_PATH = str(catvton_models["base"])
        settings.TRYON_DIFFUSION_ATTN_PATH = str(catvton_models["attention"])
    settings.TRYON_GPU_CLUSTER = gpu
    _upload(api, image_bytes())
    client.force_login(shopper)
    page = client.get("/outfits/studio/")
    assert [engine["label"] for engine in page.context["engines"]] == offered
    assert (b'name="engine" value="diffusion"' in page.content) == ("Photo-real" in offered)


# --- routing ------------------------------------------------------------------------------------

@needs_people
def test_a_photo_real_try_on_waits_for_the_gpu_workers_and_a_quick_one_for_the_others(
        api, tops, weights, gpu_workers, monkeypatch, django_capture_on_commit_callbacks):
    photo_id = _upload(api, (PEOPLE / "omnitry_person_bottom_cloth.jpg").read_bytes())
    monkeypatch.setattr(Conf, "SYNC", False)  # enqueue on the ORM broker, as a real web process does
    created = {}
    for engine in ("diffusion", "warp"):
        with django_capture_on_commit_callbacks(execute=True):
            response = api.post("/api/v1/tryon", {"photo_id": photo_id, "top_id": tops[0].pk, "engine": engine},
                                format="json")
        assert response.status_code == 202, response.data
        created[engine] = response.data["id"]
    queued = {row.name(): row.key for row in OrmQ.objects.all()}
    assert queued == {f"job-{created['diffusion']}": "gpu", f"job-{created['warp']}": Conf.CLUSTER_NAME}


# --- the worker's start ---------------------------------------------------------------------------

def test_a_gpu_worker_loads_and_warms_up_the_model_before_its_first_task(
        weights, gpu_workers, fresh_engines, renders, monkeypatch):
    monkeypatch.setattr(Conf, "CLUSTER_NAME", "gpu")  # what Q_CLUSTER_NAME=gpu gives the worker's process
    monkeypatch.setattr(diffusion, "DEFAULT_SIZE", (64, 48))  # the real 1024 x 768 takes minutes on a CPU
    post_spawn.send(sender="django_q", proc_name="Process-1")
    assert renders == [(64, 48)]
    (built_with, engine), = engines._engines.values()
    assert engine.name == "diffusion" and engine._pipeline is not None and built_with.diffusion_device == "cpu"


def test_a_compiling_gpu_worker_warms_up_through_the_compile(weights, gpu_workers, fresh_engines, renders,
                                                             settings, monkeypatch):
    settings.TRYON_COMPILE = True
    compiled = []
    monkeypatch.setattr(CatVTONPipeline, "compile", lambda self, **options: compiled.append(options))
    monkeypatch.setattr(Conf, "CLUSTER_NAME", "gpu")
    post_spawn.send(sender="django_q", proc_name="Process-1")
    assert compiled == [{"size": diffusion.DEFAULT_SIZE, "guidance": diffusion.DEFAULT_GUIDANCE}] and renders == []


def test_a_cpu_worker_loads_no_model(weights, gpu_workers, fresh_engines, renders):
    assert Conf.CLUSTER_NAME == django_settings.Q_CLUSTER["name"]
    post_spawn.send(sender="django_q", proc_name="Process-1")
    assert engines._engines == {} and renders == []


def test_a_gpu_worker_without_its_weights_says_so_and_keeps_serving(settings, gpu_workers, fresh_engines,
                                                                    monkeypatch, caplog):
    settings.TRYON_DIFFUSION_BASE_PATH, settings.TRYON_DIFFUSION_ATTN_PATH = "/nowhere/base", "/nowhere/catvton"
    monkeypatch.setattr(Conf, "CLUSTER_NAME", "gpu")
    post_spawn.send(sender="django_q", proc_name="Process-1")  # does not raise: the worker lives on
    assert "GPU worker Process-1 could not load the diffusion model" in caplog.text
    assert "its weights are not on this server" in caplog.text


# --- out of GPU memory -----------------------------------------------------------------------------

@pytest.fixture
def out_of_memory_once(monkeypatch):
    """The pipeline's next render runs out of GPU memory; answers the calls to torch.cuda.empty_cache."""
    real, emptied = CatVTONPipeline.__call__, []
    pending = [torch.cuda.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")]

    def render(self, **inputs):
        if pending:
            raise pending.pop()
        return real(self, **inputs)

    monkeypatch.setattr(CatVTONPipeline, "__call__", render)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: emptied.append(True))
    return emptied


def test_out_of_gpu_memory_fails_that_render_frees_the_cache_and_the_next_render_works(
        catvton_models, out_of_memory_once):
    engine = diffusion.DiffusionEngine(EngineSettings(diffusion_base_path=str(catvton_models["base"]),
                                                      diffusion_attention_path=str(catvton_models["attention"]),
                                                      diffusion_device="cpu"))
    inputs = synthetic_inputs(64, 48)
    render = dict(person=Image.fromarray(inputs["person"]),
                  analysis=PersonAnalysis(48, 64, [], inputs["mask"]),
                  garment=GarmentInput(Image.fromarray(inputs["garment"]), inputs["mask"], "upper", {}),
                  report=lambda progress, stage="": None, options={**SMALL, "mask": inputs["mask"]})
    with pytest.raises(RenderFailed, match="The GPU ran out of memory for this try-on"):
        engine.render(**render)
    assert out_of_memory_once == [True]
    assert np.asarray(engine.render(**render)).shape == (64, 48, 3)


@needs_people
def test_out_of_gpu_memory_fails_that_job_with_a_clear_message_and_the_next_job_succeeds(
        api, shopper, tops, weights, fresh_engines, out_of_memory_once, django_capture_on_commit_callbacks):
    photo_id = _upload(api, (PEOPLE / "omnitry_person_bottom_cloth.jpg").read_bytes())
    params = {"photo_id": photo_id, "top_id": tops[0].pk, "engine": "diffusion", "options": SMALL}
    jobs = []
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):  # run at once: the root conftest's sync mode
            jobs.append(job_create(owner=shopper, kind=Job.Kind.TRYON, params=params))
        jobs[-1].refresh_from_db()
    assert (jobs[0].status, jobs[0].error) == ("failed", diffusion.OUT_OF_MEMORY)
    assert jobs[1].status == "succeeded", jobs[1].error
