"""xAPI statements of graded attempts, for a learning record store to pull."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, permissions
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.pagination import CursorPage
from core.api.throttling import ThrottlesFromSettings

from ...models import Attempt
from ...selectors import xapi
from ...xapi import XAPI_VERSION


class AttemptCursor(CursorPage):
    """Pages of graded attempts, oldest first, each expanded into its statements."""

    page_size = 10
    max_page_size = 50
    ordering = "id"

    def get_paginated_response(self, data: Any) -> Response:
        # xAPI's StatementResult: the statements and a `more` IRL ("" on the last page).
        response = Response({"statements": data, "more": self.get_next_link() or ""})
        response["X-Experience-API-Version"] = XAPI_VERSION
        return response


class XAPIStatementsView(ThrottlesFromSettings, generics.ListAPIView):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = AttemptCursor
    filter_backends: list[type] = []  # one order (oldest first): no ?ordering=

    def get_queryset(self) -> QuerySet[Attempt]:
        if getattr(self, "swagger_fake_view", False):
            return Attempt.objects.none()
        return xapi.graded_attempts_visible_to(self.request.user)

    @extend_schema(
        summary="xAPI 1.0.3 statements of graded attempts (own; instructors: their paths'; staff: all)",
        description=(
            "A StatementResult: `statements` (per attempt: answered per item, completed, passed or "
            "failed, with score, success, completion and duration) and `more`, the next page's "
            "address (empty on the last). Pages hold the statements of up to `page_size` attempts "
            "(10 by default, at most 50), oldest first. Statement ids are fixed per attempt."
        ),
        responses={200: OpenApiResponse(description="{statements: [...], more: ''}")},
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(xapi.with_statement_data(self.get_queryset()))
        return self.get_paginated_response(xapi.statements(page or []))
