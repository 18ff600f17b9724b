"""Stored files follow the rows that point at them: a file a row lets go of (replaced by another
upload, cleared, or the row deleted) is removed once the change commits, so no orphan stays on
disk (a curator's old garment photo, a deleted photo's person mask)."""

from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_delete, post_init, post_save


def _delete_on_commit(storage, name: str) -> None:
    transaction.on_commit(lambda: storage.delete(name))


def files_follow_rows(model: type[Model], *fields: str) -> None:
    """Connect the receivers that remove `model`'s replaced and deleted files (call in ready())."""

    def remember(sender, instance, **kwargs) -> None:
        deferred = instance.get_deferred_fields()  # reading one would cost a query per row
        instance._stored_files = {field: getattr(instance, field).name for field in fields if field not in deferred}

    def saved(sender, instance, raw: bool, **kwargs) -> None:
        for field, name in getattr(instance, "_stored_files", {}).items():
            if name and not raw and name != getattr(instance, field).name:
                _delete_on_commit(getattr(instance, field).storage, name)
        remember(sender, instance)

    def deleted(sender, instance, **kwargs) -> None:
        for field in fields:
            if name := getattr(instance, field).name:
                _delete_on_commit(getattr(instance, field).storage, name)

    uid = f"files_follow_rows:{model._meta.label}"
    post_init.connect(remember, sender=model, weak=False, dispatch_uid=uid)
    post_save.connect(saved, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(deleted, sender=model, weak=False, dispatch_uid=uid)
