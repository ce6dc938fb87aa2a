from rest_framework import serializers

from ..models import CertificationPath, ExamDomain, PathSource, Successor


class ExamDomainSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExamDomain
        fields = ["name", "position", "weight_percent", "weight_min_percent", "weight_max_percent"]


class SuccessorSerializer(serializers.ModelSerializer):
    in_catalog = serializers.SerializerMethodField()

    class Meta:
        model = Successor
        fields = ["code", "name", "note", "in_catalog"]

    def get_in_catalog(self, obj: Successor) -> bool:
        return obj.successor_path_id is not None


class PathSourceSerializer(serializers.ModelSerializer):
    class Meta:
        model = PathSource
        fields = ["url", "kind", "note"]


class CertificationPathListSerializer(serializers.ModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-path-detail", lookup_field="code")
    provider_label = serializers.CharField(source="get_provider_display", read_only=True)
    domains = ExamDomainSerializer(many=True, read_only=True)
    successors = SuccessorSerializer(many=True, read_only=True)

    class Meta:
        model = CertificationPath
        fields = [
            "url",
            "code",
            "provider",
            "provider_label",
            "vendor",
            "name",
            "exam_title",
            "version",
            "level",
            "item_count",
            "item_count_min",
            "item_count_max",
            "scored_item_count",
            "minutes",
            "pass_mark",
            "score_scale",
            "score_min",
            "score_max",
            "score_note",
            "formats",
            "status",
            "retired_on",
            "status_note",
            "domains",
            "successors",
        ]


class CertificationPathDetailSerializer(CertificationPathListSerializer):
    sources = PathSourceSerializer(many=True, read_only=True)

    class Meta(CertificationPathListSerializer.Meta):
        fields = [*CertificationPathListSerializer.Meta.fields, "sources", "caveats"]
