"""Item titles generated from caption attributes, so a curator never has to type one."""

from typing import Mapping

from vision.regions import UPPER


def _clean(attributes: Mapping, key: str) -> str:
    value = attributes.get(key)
    return str(value).strip() if value else ""


def _sleeves_phrase(sleeve: str) -> str:
    return "no sleeves" if sleeve.lower() == "sleeveless" else f"{sleeve} sleeves"


def clothing_title_build(*, attributes: Mapping, item_noun: str, body_region: str) -> str:
    """{color, pattern, material, type, neckline, sleeve, length} -> a readable product title.

    >>> clothing_title_build(attributes={"color": "teal", "pattern": "floral", "material": "silk",
    ...     "type": "blouse", "neckline": "stand-up", "sleeve": "long"}, item_noun="top", body_region="upper")
    'Teal Floral Silk Blouse with stand-up neckline and long sleeves'
    """
    pattern = _clean(attributes, "pattern")
    if pattern.lower() == "solid":
        pattern = ""
    head = [_clean(attributes, "color"), pattern, _clean(attributes, "material"),
            _clean(attributes, "type") or item_noun]
    title = " ".join(word.title() for word in head if word)

    if body_region == UPPER:
        neckline, sleeve = _clean(attributes, "neckline"), _clean(attributes, "sleeve")
        if neckline:
            title += f" with {neckline} neckline"
        if sleeve:
            title += f" {'and' if neckline else 'with'} {_sleeves_phrase(sleeve)}"
    elif length := _clean(attributes, "length"):
        title += f" ({length} length)"
    return title[:200]
