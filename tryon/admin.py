from django.contrib import admin

from tryon.models import Combination, Share


@admin.register(Combination)
class CombinationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "top", "bottom", "dress", "created_at"]
    search_fields = ["user__username"]
    raw_id_fields = ["user", "top", "bottom", "dress"]
    exclude = ["result_image"]


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "job", "created_at"]
    search_fields = ["user__username", "email"]
    readonly_fields = ["user", "job", "email", "created_at"]

    def has_add_permission(self, request):
        return False

