from catalog.selectors import category_list


def categories(request) -> dict:
    """The category menu shown on every page."""
    return {"nav_categories": category_list()}
