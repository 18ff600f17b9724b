"""The cut-out preview curators see in the admin: the photo, the mask's outline and the garment's
landmarks drawn over it as inline SVG, so no image has to be rendered or stored for it."""

from django.utils.html import format_html, format_html_join

from catalog.models import ClothingItem

PREVIEW_HEIGHT = 320
DOT = 0.012  # landmark dot radius, as a share of the photo's larger side


def cutout_preview(item: ClothingItem) -> str:
    """The photo dimmed outside the mask, with each landmark as a labelled dot; "" before enrichment."""
    if not item.mask or not item.landmarks.get("points"):
        return ""
    width, height = item.landmarks["size"]
    radius = DOT * max(width, height)
    dots = format_html_join("", '<circle cx="{}" cy="{}" r="{}"><title>{}</title></circle>'
                                '<text x="{}" y="{}" font-size="{}">{}</text>', (
        (x, y, radius, name, x + 1.5 * radius, y, 3 * radius, name)
        for name, (x, y) in sorted(item.landmarks["points"].items())))
    return format_html(
        '<svg viewBox="0 0 {w} {h}" height="{ph}" role="img" aria-label="Cut-out and landmarks"'
        ' class="ovdr-cutout">'  # styled in admin.css: the CSP refuses style attributes
        '<defs><mask id="cutout-{pk}"><image href="{mask}" width="{w}" height="{h}"/></mask></defs>'
        '<image href="{photo}" width="{w}" height="{h}" opacity="0.3"/>'
        '<image href="{photo}" width="{w}" height="{h}" mask="url(#cutout-{pk})"/>'
        '<g fill="#ff2d55" stroke="white" stroke-width="{sw}" paint-order="stroke">{dots}</g></svg>'
        '<p class="help">Sleeveless: {sleeveless}. Landmarks in photo pixels: {names}.</p>',
        w=width, h=height, ph=PREVIEW_HEIGHT, pk=item.pk, mask=item.mask.url, photo=item.image.url,
        sw=radius / 3, dots=dots, sleeveless="yes" if item.landmarks.get("sleeveless") else "no",
        names=", ".join(sorted(item.landmarks["points"])))
