from django.contrib import admin

from closet.models import ClosetItem, HistoryEntry


@admin.register(ClosetItem)
class ClosetItemAdmin(admin.ModelAdmin):
    list_display = ["user", "item", "added_at"]
    list_filter = ["item__category"]
    search_fields = ["user__username", "item__title"]
    autocomplete_fields = ["user", "item"]


@admin.register(HistoryEntry)
class HistoryEntryAdmin(admin.ModelAdmin):
    list_display = ["user", "item", "viewed_at"]
    search_fields = ["user__username", "item__title"]
    readonly_fields = ["user", "item", "viewed_at"]
