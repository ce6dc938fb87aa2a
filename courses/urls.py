from django.urls import path

from . import views

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("paths/<str:code>/", views.path_detail, name="path-detail"),
    path("accounts/signup/", views.signup, name="signup"),
]
