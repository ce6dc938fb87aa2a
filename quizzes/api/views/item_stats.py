from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, permissions
from rest_framework.generics import ListAPIView

from core.access import is_staff, user_id
from core.api.pagination import PageNumber
from core.api.throttling import ThrottlesFromSettings

from ...models import ItemStats, QuestionBank
from ...selectors.item_stats import list_item_stats
from ..serializers.item_stats import ItemStatsSerializer


class ItemStatsView(ThrottlesFromSettings, ListAPIView):
    """Item analysis of a bank's questions, per revision. The bank's owners (instructors) and staff."""

    permission_classes = [permissions.IsAdminUser]  # instructors and staff enter the admin
    pagination_class = PageNumber
    serializer_class = ItemStatsSerializer

    def get_queryset(self) -> QuerySet[ItemStats]:
        if getattr(self, "swagger_fake_view", False):
            return ItemStats.objects.none()
        banks = QuestionBank.objects.all()
        if not is_staff(self.request.user):
            banks = banks.filter(owners=user_id(self.request))
        bank = banks.filter(slug=self.kwargs["slug"]).first()
        if bank is None:
            raise exceptions.NotFound("No question bank with this slug is yours to read.")
        stats = list_item_stats(bank=bank)
        if self.request.query_params.get("dubious") in ("1", "true"):
            stats = stats.filter(dubious=True)
        return stats

    @extend_schema(
        summary="Item statistics of a bank's questions: difficulty, discrimination, option counts",
        parameters=[OpenApiParameter("dubious", bool, description="Only the items flagged dubious.")],
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)
