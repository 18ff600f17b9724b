from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Photo, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "is_staff", "date_joined", "last_login"]
    readonly_fields = ["primary_photo"]


@admin.register(Photo)
class PhotoAdmin(admin.ModelAdmin):
    """Metadata only: staff do not browse shoppers' body photos."""

    list_display = ["id", "owner", "width", "height", "usable", "created_at"]
    fields = ["owner", "width", "height", "unusable_reason", "created_at"]
    readonly_fields = fields

    @admin.display(boolean=True, description="Usable for try-on")
    def usable(self, photo: Photo) -> bool:
        return photo.usable
    search_fields = ["owner__username"]

    def has_add_permission(self, request):
        return False
