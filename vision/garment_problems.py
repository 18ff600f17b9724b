"""Why a garment's cut-out cannot be trusted, in the words a curator reads, and the photo styles the
cut-out tells apart: the one home of these codes (the catalog stores them; vision/garment.py finds
them). No heavy imports, so that models can load it."""

PRODUCT, FLAT_LAY, WORN = "product", "flat_lay", "worn"
STYLES = {PRODUCT: "Product shot on a plain backdrop", FLAT_LAY: "Flat-lay or hanger", WORN: "Worn by a model"}

PROBLEMS = {
    "not_found": "No garment could be told apart from the background: photograph it alone on a plain or "
                 "contrasting background.",
    "too_small": "The garment fills too little of the photo to be cut out cleanly.",
    "several_garments": "The photo shows several separate garments or pieces: one garment per photo.",
    "touches_frame": "The garment runs off the edge of the photo, so part of it is missing.",
}
