"""Page numbers that come from URLs."""

# Any page past this is empty anyway, and a bigger number overflows SQLite's integers.
MAX_PAGE = 1_000_000


def page_offset(page: int, per_page: int) -> int:
    """The row offset of a 1-based page number, whatever number a URL carried."""
    return (min(max(page, 1), MAX_PAGE) - 1) * per_page
