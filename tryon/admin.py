from django.contrib import admin

from tryon.models import Combination, Job, Share


@admin.register(Combination)
class CombinationAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "top", "bottom", "dress", "created_at"]
    search_fields = ["user__username"]
    raw_id_fields = ["user", "top", "bottom", "dress"]
    exclude = ["result_image"]


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "kind", "status", "progress", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    search_fields = ["owner__username", "id"]
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Share)
class ShareAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "job", "created_at"]
    search_fields = ["user__username", "email"]
    readonly_fields = ["user", "job", "email", "created_at"]

    def has_add_permission(self, request):
        return False

