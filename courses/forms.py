from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm


class SignUpForm(UserCreationForm):
    class Meta:
        model = get_user_model()
        fields = ("username", "email")
        field_classes = UserCreationForm.Meta.field_classes  # type: ignore[attr-defined]
