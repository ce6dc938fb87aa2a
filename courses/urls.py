from django.urls import path

from . import views

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("paths/<str:code>/", views.path_detail, name="path-detail"),
    path("courses/<slug:slug>/", views.course_detail, name="course-detail"),
    path("courses/<slug:slug>/lessons/<slug:lesson_slug>/", views.lesson_detail, name="lesson-detail"),
    path(
        "courses/<slug:slug>/lessons/<slug:lesson_slug>/complete",
        views.lesson_complete,
        name="lesson-complete",
    ),
    path("accounts/signup/", views.signup, name="signup"),
]
