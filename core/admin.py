"""Admin base classes for content with owners: each instructor sees and changes only their own."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import Http404, HttpRequest

from core.roles import Role


def owned_by(user: Any, queryset: QuerySet[Any], *, lookup: str = "owners") -> QuerySet[Any]:
    """Return queryset narrowed to what user owns through lookup; all of it for a superuser."""
    if user.is_superuser:
        return queryset
    return queryset.filter(**{lookup: user})


class OwnerScopedAdmin(admin.ModelAdmin):
    """Show and allow an instructor only the objects they own; superusers see everything.

    owner_lookup leads from the model to its owners ("owners", "course__owners", "bank__owners").
    Another instructor's object is answered with 404, like a missing one.
    """

    owner_lookup = "owners"

    def scope(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Narrow queryset to what request.user owns (superusers: unchanged)."""
        return owned_by(request.user, queryset, lookup=self.owner_lookup)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        return self.scope(request, super().get_queryset(request))

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is None and not request.user.is_superuser:
            raise Http404(f"No {self.opts.verbose_name} with this id is yours to open.")
        return obj

    def is_owned(self, request: HttpRequest, obj: Any) -> bool:
        """Return whether request.user may touch obj (True for no object yet, and for superusers)."""
        if obj is None or obj.pk is None or request.user.is_superuser:
            return True
        return self.scope(request, self.model._default_manager.filter(pk=obj.pk)).exists()

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and self.is_owned(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and self.is_owned(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_delete_permission(request, obj) and self.is_owned(request, obj)


def instructors() -> QuerySet[Any]:
    """Return the users who hold the instructor role."""
    return get_user_model().objects.filter(groups__name=Role.INSTRUCTOR).distinct().order_by("username")


def instructors_and_superusers() -> QuerySet[Any]:
    """Return the users who may own authored content."""
    users = get_user_model().objects.filter(Q(groups__name=Role.INSTRUCTOR) | Q(is_superuser=True))
    return users.distinct().order_by("username")


class OwnedContentForm(forms.ModelForm):
    """Form of content with owners: an instructor cannot drop themselves from the owners."""

    # The instructor editing, set per request by OwnedContentAdmin.get_form (None for superusers).
    editor: Any = None

    def clean_owners(self) -> Any:
        owners = self.cleaned_data["owners"]
        if self.editor is not None and self.instance.pk and self.editor not in owners:
            raise ValidationError(
                "Keep yourself among the owners, or you could no longer open this; "
                "an administrator can hand it over to someone else."
            )
        return owners


class OwnedContentAdmin(OwnerScopedAdmin):
    """Admin of content with owners: the instructor who adds it becomes an owner.

    Owners are ticked in a labelled checkbox list: the admin's two-box filter widget puts ARIA
    labels on plain spans, which assistive technology may ignore (only instructors are listed).
    """

    form = OwnedContentForm

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change, **kwargs)
        if request.user.is_superuser:
            return form
        return type(form.__name__, (form,), {"editor": request.user})

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "owners":
            kwargs["queryset"] = instructors_and_superusers()
            kwargs["widget"] = forms.CheckboxSelectMultiple
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        instance = form.instance
        # An instructor always owns what they create; a superuser only when nobody else was named.
        if not change and (not request.user.is_superuser or not instance.owners.exists()):
            instance.owners.add(request.user)


class LabelledInlineFormSet(BaseInlineFormSet):
    """An inline formset whose every input has an accessible name.

    A tabular inline shows its labels once, as column headings, so each row's inputs are named
    here ("Text, choice 2") for screen readers.
    """

    def add_fields(self, form: Any, index: int | None) -> None:
        super().add_fields(form, index)
        kind = self.model._meta.verbose_name
        _name_fields(form, f"new {kind}" if index is None else f"{kind} {index + 1}")


def _name_fields(form: Any, row: str) -> None:
    for name, field in form.fields.items():
        if not field.widget.is_hidden:
            label = "Delete" if name == "DELETE" else (field.label or name.replace("_", " ").capitalize())
            field.widget.attrs.setdefault("aria-label", f"{label}, {row}")


class LabelledTabularInline(admin.TabularInline):
    """A tabular inline whose row inputs are named for assistive technology."""

    formset = LabelledInlineFormSet
