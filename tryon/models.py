from django.conf import settings
from django.db import models

from accounts.models import Photo
from catalog.models import ClothingItem
from jobs.models import Job
from vision.regions import FULL, LOWER, UPPER

# An outfit's slots and the body region each one takes; a dress is worn alone (see Combination's constraint).
OUTFIT_SLOTS = {"top": UPPER, "bottom": LOWER, "dress": FULL}
# What a try-on job leaves in its files folder (jobs.models.Job.files_prefix).
RESULT_FILE = "result.jpg"


class Combination(models.Model):
    """A saved outfit. (user, top, bottom, dress) is unique; closet-style lock in the service,
    since MariaDB treats NULLs as distinct in unique indexes."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="combinations")
    top = models.ForeignKey(ClothingItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    bottom = models.ForeignKey(ClothingItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    dress = models.ForeignKey(ClothingItem, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    result_image = models.ImageField(upload_to="private/combinations/", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(dress__isnull=True) & (models.Q(top__isnull=False) | models.Q(bottom__isnull=False)))
                | (models.Q(dress__isnull=False) & models.Q(top__isnull=True) & models.Q(bottom__isnull=True)),
                name="combination_dress_xor_separates",
            ),
        ]

    def __str__(self) -> str:
        return " + ".join(str(item) for item in self.items)

    @property
    def items(self) -> list[ClothingItem]:
        return [item for item in (self.top, self.bottom, self.dress) if item]


class Share(models.Model):
    """A try-on result emailed by its owner; counted to cap shares per day."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shares")
    # Kept when the job goes (its photo deleted), so deleting photos never resets the daily count.
    job = models.ForeignKey(Job, null=True, on_delete=models.SET_NULL, related_name="shares")
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)


class PhotoAnalysis(models.Model):
    """Pose and person mask of a photo, computed once on upload for try-on (tryon.person)."""

    photo = models.OneToOneField(Photo, on_delete=models.CASCADE, related_name="analysis")
    data = models.JSONField()  # tryon.engines.base.PersonAnalysis.to_json()
    person_mask = models.ImageField(upload_to="private/analysis/")
    # Why the photo cannot serve a region ("upper", "lower", "full"), shown before any job.
    problems = models.JSONField(default=dict)

    class Meta:
        # Moved here from accounts; the table kept its name, and its rows, rather than being copied.
        db_table = "accounts_photoanalysis"
