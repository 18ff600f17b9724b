"""The studio page and what it relies on: usable photos preselected, sample models (a try-on input that is
nobody's photo), engines in shoppers' words with a duration estimate, garment radio cards from the closet
and the catalog, outfits saved once."""

import re
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from accounts.models import Photo
from jobs.models import Job
from tests.factories import image_bytes
from tryon.models import Combination
from tryon.samples import SAMPLES

pytestmark = pytest.mark.django_db
NO_PERSON = "We could not find a person in this photo."


def _try(api, capture, **body):
    with capture(execute=True):
        return api.post("/api/v1/tryon", body, format="json")


@pytest.mark.parametrize("name", list(SAMPLES))
def test_every_sample_serves_tops_bottoms_and_dresses(name):
    from tryon.preprocess import sample_analysis

    analysis, problems = sample_analysis(name)
    assert analysis is not None and problems == {}


def test_samples_are_listed_with_public_images(api, anon_api, client):
    listed = api.get("/api/v1/tryon/samples")
    assert listed.status_code == 200 and [s["name"] for s in listed.data] == list(SAMPLES)
    for sample in listed.data:
        assert sample["image_url"].startswith("http://testserver/static/samples/people/") and sample["label"]
    assert anon_api.get("/api/v1/tryon/samples").status_code == 401


def test_a_sample_is_tried_on_without_becoming_the_shoppers_photo(
        api, shopper, tops, bottom, django_capture_on_commit_callbacks):
    response = _try(api, django_capture_on_commit_callbacks, sample="street", top_id=tops[0].pk, bottom_id=bottom.pk)
    assert response.status_code == 202
    job = Job.objects.get(pk=response.data["id"])
    assert job.status == Job.Status.SUCCEEDED, job.error
    assert job.owner == shopper and job.params["sample"] == "street" and "photo_id" not in job.params
    assert default_storage.exists(job.files_prefix + "result.jpg")
    assert not Photo.objects.exists()  # no row: nothing to list, delete or make primary
    assert api.get("/api/v1/photos").data["count"] == 0
    again = _try(api, django_capture_on_commit_callbacks, sample="street", top_id=tops[0].pk, bottom_id=bottom.pk)
    assert again.status_code == 200 and again.data["id"] == str(job.pk)
    saved = api.post("/api/v1/combinations", {"job_id": str(job.pk)}, format="json")
    assert saved.status_code == 201 and saved.data["result_image_url"]


@pytest.mark.parametrize("body, field", [
    (lambda photo, top: {"top_id": top}, "photo_id"),
    (lambda photo, top: {"photo_id": photo, "sample": "street", "top_id": top}, "photo_id"),
    (lambda photo, top: {"sample": "nobody", "top_id": top}, "sample"),
])
def test_a_try_on_names_exactly_one_person(api, shopper, tops, django_capture_on_commit_callbacks, body, field):
    photo = Photo.objects.create(owner=shopper, image=ContentFile(image_bytes(), name="me.jpg"))
    response = _try(api, django_capture_on_commit_callbacks, **body(photo.pk, tops[0].pk))
    assert response.status_code == 400 and field in response.data["error"]["fields"]
    assert not Job.objects.exists()


def test_saving_the_same_try_on_twice_returns_the_saved_outfit(api, shopper, tops):
    job = Job.objects.create(owner=shopper, kind=Job.Kind.TRYON, status=Job.Status.SUCCEEDED,
                             params={"sample": "street", "top_id": tops[0].pk})
    default_storage.save(job.files_prefix + "result.jpg", ContentFile(image_bytes()))
    first = api.post("/api/v1/combinations", {"job_id": str(job.pk)}, format="json")
    again = api.post("/api/v1/combinations", {"job_id": str(job.pk)}, format="json")
    assert (first.status_code, again.status_code) == (201, 200) and first.data["id"] == again.data["id"]
    assert Combination.objects.count() == 1


def _studio(client, shopper, query="") -> str:
    client.force_login(shopper)
    response = client.get(f"/outfits/studio/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_without_a_photo_the_studio_preselects_a_sample(client, shopper):
    page = _studio(client, shopper)
    assert 'name="person" value="sample:street" checked' in page
    for sample in SAMPLES.values():
        assert f'src="/static/{sample.path}"' in page and sample.label in page
    assert "LICENSE-OmniTry-Apache-2.0.txt" in page and "upload a full-body photo" in page


def test_the_studio_preselects_a_usable_photo_and_marks_an_unusable_one_once(client, shopper):
    usable = Photo.objects.create(owner=shopper, image=ContentFile(image_bytes(), name="a.jpg"))
    unusable = Photo.objects.create(owner=shopper, image=ContentFile(image_bytes(), name="b.jpg"),
                                    unusable_reason=NO_PERSON)
    page = _studio(client, shopper)  # neither is primary: the usable one is picked all the same
    assert f'value="photo:{usable.pk}" checked' in page
    assert re.search(rf'value="photo:{unusable.pk}"\s+disabled', page)
    assert page.count(NO_PERSON) == 1 and f"Cannot be used: {NO_PERSON}" in page
    assert 'value="sample:street" checked' not in page


def test_the_studio_offers_only_engines_this_server_runs_in_shoppers_words(client, shopper, settings, tmp_path):
    page = _studio(client, shopper)
    assert "Quick preview" in page and "Photo-real" not in page and "diffusion" not in page
    assert 'type="hidden" name="engine" value="warp"' in page
    (tmp_path / "base").mkdir()
    (tmp_path / "attn.safetensors").write_bytes(b"x")
    settings.TRYON_DIFFUSION_BASE_PATH, settings.TRYON_DIFFUSION_ATTN_PATH = tmp_path / "base", tmp_path / "attn.safetensors"
    settings.TRYON_GPU_CLUSTER = "gpu"
    page = _studio(client, shopper)
    assert 'name="engine" value="warp"' in page and 'name="engine" value="diffusion"' in page
    assert "Quick preview" in page and "Photo-real" in page


def test_the_estimate_follows_recent_runs_on_this_server(client, shopper, other_shopper):
    assert 'data-seconds="2"' in _studio(client, shopper)  # nothing has run yet: a typical figure
    now = timezone.now()
    for seconds in (5, 7, 30):  # anybody's runs count (timings only): the median is 7
        Job.objects.create(owner=other_shopper, kind=Job.Kind.TRYON, status=Job.Status.SUCCEEDED,
                           params={"engine": "warp"}, started_at=now - timedelta(seconds=seconds), finished_at=now)
    page = _studio(client, shopper)
    assert 'data-seconds="7"' in page and "About 7 s." in page


def test_garments_come_as_radio_cards_from_the_closet_and_the_catalog(client, shopper, tops, bottom):
    from closet.models import ClosetItem

    ClosetItem.objects.create(user=shopper, item=tops[1])
    page = _studio(client, shopper, f"?item={tops[0].pk}")
    assert f'name="top_id" value="{tops[0].pk}" checked' in page  # the item the shopper came from
    assert f'name="top_id" value="{tops[1].pk}"' in page and "From your closet" in page
    assert f'name="bottom_id" value="{bottom.pk}"' in page and "From the catalog" in page  # not in the closet
    assert 'name="bottom_id" value="" checked' in page and 'name="top_id" value="" >' in page
    assert "<select" not in page
