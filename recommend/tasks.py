"""django-q2 entry points."""

from recommend.trending import trending_refresh as _trending_refresh


def trending_refresh() -> int:
    return _trending_refresh()
