from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework import permissions, viewsets
from rest_framework.serializers import BaseSerializer

from .. import selectors
from ..models import CertificationPath
from .serializers import CertificationPathDetailSerializer, CertificationPathListSerializer


class PathFilter(filters.FilterSet):
    class Meta:
        model = CertificationPath
        fields = ["provider", "status"]


class CertificationPathViewSet(viewsets.ReadOnlyModelViewSet):
    """The certification catalog: every path with its exam facts and blueprint."""

    permission_classes = [permissions.AllowAny]
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
    filterset_class = PathFilter
    ordering_fields = ["code", "provider", "name"]
    ordering = ["provider", "code"]

    def get_queryset(self) -> QuerySet[CertificationPath]:
        queryset = selectors.list_paths()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("sources")
        return queryset

    def get_object(self) -> CertificationPath:
        path = selectors.get_path(code=self.kwargs["code"])
        self.check_object_permissions(self.request, path)
        return path

    def get_serializer_class(self) -> type[BaseSerializer]:
        if self.action == "retrieve":
            return CertificationPathDetailSerializer
        return CertificationPathListSerializer
