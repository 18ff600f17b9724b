"""The body regions a garment covers: tops, bottoms and dresses.

Catalog categories, detected garments and try-on masks all speak these words; this is their one home.
"""

UPPER, LOWER, FULL = "upper", "lower", "full"
REGIONS = (UPPER, LOWER, FULL)


def region_checked(region: str) -> str:
    """`region`, or ValueError when it is not one of REGIONS."""
    if region not in REGIONS:
        raise ValueError(f"region must be one of {REGIONS}, not {region!r}")
    return region
