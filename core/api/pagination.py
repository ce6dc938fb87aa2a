"""The API's two kinds of pages."""

from rest_framework.pagination import CursorPagination, PageNumberPagination


class PageNumber(PageNumberPagination):
    """Numbered pages of 20 by default; clients may ask for up to 100 with ?page_size=."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class CursorPage(CursorPagination):
    """Cursor pages for lists that grow without bound: stable while rows are added."""

    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    ordering = "-id"
