from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("exams/<int:pk>/", views.exam_detail, name="exam-detail"),
    path("exams/<int:pk>/start", views.exam_start, name="exam-start"),
    path("paths/<str:code>/practice/", views.practice_set, name="practice-set"),
    path("attempts/<int:pk>/", views.attempt_page, name="attempt"),
    path("attempts/<int:pk>/submit", views.attempt_submit, name="attempt-submit"),
    path("attempts/<int:pk>/result", views.attempt_result, name="attempt-result"),
]
