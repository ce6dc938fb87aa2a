from django.contrib import admin

from .models import CertificationPath, ExamDomain, PathSource, Successor


class ExamDomainInline(admin.TabularInline):
    model = ExamDomain
    extra = 0
    fields = ["position", "name", "weight_percent", "weight_min_percent", "weight_max_percent"]


class SuccessorInline(admin.TabularInline):
    model = Successor
    fk_name = "path"
    extra = 0
    fields = ["code", "name", "note", "successor_path"]


class PathSourceInline(admin.TabularInline):
    model = PathSource
    extra = 0


@admin.register(CertificationPath)
class CertificationPathAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "provider", "level", "item_count", "minutes", "pass_mark", "status"]
    list_filter = ["provider", "status", "level"]
    search_fields = ["code", "name", "vendor", "exam_title"]
    inlines = [ExamDomainInline, SuccessorInline, PathSourceInline]
    fieldsets = [
        (None, {"fields": ["code", "provider", "vendor", "name", "exam_title", "version", "level"]}),
        (
            "Exam",
            {
                "fields": [
                    ("item_count", "item_count_min", "item_count_max", "scored_item_count"),
                    "minutes",
                    ("pass_mark", "score_scale", "score_min", "score_max"),
                    "score_note",
                    "formats",
                ]
            },
        ),
        ("Status", {"fields": ["status", "retired_on", "status_note", "caveats"]}),
    ]
