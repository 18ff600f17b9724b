"""Similar items and "for you": nearest neighbours in the search index plus co-view signal."""

from collections import defaultdict

import numpy as np
from django.contrib.auth.models import AnonymousUser
from django.db.models import Count

from accounts.models import User
from catalog.models import Category, ClothingItem
from catalog.selectors import clothing_list
from closet.models import ClosetItem, HistoryEntry
from recommend.coldstart import Scored, cold_start_picks, diversified
from recommend.models import Interaction
from search.encoders import get_encoder
from search.models import ItemEmbedding
from search.services import SearchUnavailable, nearest_items

SPACE = "image"
CLOSET_WEIGHT, RECENCY_DECAY = 2.0, 0.85  # the n-th most recent view weighs RECENCY_DECAY ** n
CONTENT_WEIGHT, COVIEW_WEIGHT = 0.6, 0.4


def _vectors(item_ids) -> dict[int, np.ndarray]:
    rows = ItemEmbedding.objects.filter(item_id__in=list(item_ids), encoder=get_encoder().name, space=SPACE)
    return {row.item_id: row.as_array() for row in rows}


def _neighbours(vector: np.ndarray, *, categories, limit: int) -> Scored:
    try:
        hits = nearest_items(encoder=get_encoder(), space=SPACE, vector=vector, categories=categories, limit=limit)
    except SearchUnavailable:
        return []
    return [(hit.item, hit.score) for hit in hits]


def similar_items(*, item: ClothingItem, limit: int = 10) -> Scored:
    vector = _vectors([item.pk]).get(item.pk)
    if vector is None:
        return []
    found = _neighbours(vector, categories=Category.objects.filter(pk=item.category_id), limit=limit + 1)
    return [(other, score) for other, score in found if other.pk != item.pk][:limit]


def _taste(user: User) -> dict[int, float]:
    """item id -> weight: recent views fade with rank, closet items count double."""
    weights: dict[int, float] = defaultdict(float)
    for rank, item_id in enumerate(HistoryEntry.objects.filter(user=user).values_list("item_id", flat=True)):
        weights[item_id] += RECENCY_DECAY ** rank
    for item_id in ClosetItem.objects.filter(user=user).values_list("item_id", flat=True):
        weights[item_id] += CLOSET_WEIGHT
    return weights


def _content_scores(taste: dict[int, float], limit: int) -> dict[int, float]:
    vectors = _vectors(taste)
    if not vectors:
        return {}
    centroid = sum(taste[item_id] * vector for item_id, vector in vectors.items())
    centroid = centroid / max(np.linalg.norm(centroid), 1e-12)
    return {item.pk: score for item, score in _neighbours(centroid, categories=None, limit=limit)}


def _coview_scores(user: User, seen: set[int], limit: int) -> dict[int, float]:
    """Items most often viewed by other shoppers who viewed what this shopper viewed."""
    neighbours = (Interaction.objects.filter(kind=Interaction.Kind.VIEW, item_id__in=seen)
                  .exclude(user=user).values("user_id"))
    counts = (Interaction.objects.filter(kind=Interaction.Kind.VIEW, user_id__in=neighbours)
              .exclude(item_id__in=seen).values("item_id").annotate(n=Count("user_id", distinct=True))
              .order_by("-n", "item_id")[:limit])
    top = max((row["n"] for row in counts), default=0)
    return {row["item_id"]: row["n"] / top for row in counts}


def for_you(*, user: User | AnonymousUser, limit: int = 10) -> Scored:
    """Items picked from the shopper's views and closet; a shopper with too little history (or none,
    or not signed in) gets the curated picks and newest items to complete the row."""
    if not user.is_authenticated or not (taste := _taste(user)):
        return cold_start_picks(limit=limit, featured_first=True)
    scores: dict[int, float] = defaultdict(float)
    for item_id, score in _content_scores(taste, limit * 4).items():
        scores[item_id] += CONTENT_WEIGHT * score
    for item_id, score in _coview_scores(user, set(taste), limit * 4).items():
        scores[item_id] += COVIEW_WEIGHT * score
    in_closet = set(ClosetItem.objects.filter(user=user).values_list("item_id", flat=True))
    items = clothing_list().in_bulk([item_id for item_id in scores if item_id not in in_closet])
    ranked = diversified(sorted(((items[i], s) for i, s in scores.items() if i in items), key=lambda pair: -pair[1]),
                         limit)
    if len(ranked) < limit:
        ranked += cold_start_picks(limit=limit - len(ranked), featured_first=True,
                                   exclude=in_closet | {item.pk for item, _ in ranked})
    return ranked
