from django.urls import path

from . import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/history/", views.attempt_history, name="attempt-history"),
    path("exams/<int:pk>/", views.exam_detail, name="exam-detail"),
    path("exams/<int:pk>/start", views.exam_start, name="exam-start"),
    path("paths/<str:code>/practice/", views.practice_set, name="practice-set"),
    path("attempts/<int:pk>/", views.attempt_page, name="attempt"),
    path("attempts/<int:pk>/submit", views.attempt_submit, name="attempt-submit"),
    path("attempts/<int:pk>/result", views.attempt_result, name="attempt-result"),
    path("attempts/<int:pk>/retake", views.attempt_retake, name="attempt-retake"),
    path("attempts/<int:pk>/items/<int:position>/report", views.item_report, name="item-report"),
    path("attempts/<int:pk>/certificate.pdf", views.certificate_download, name="certificate-download"),
    path("verify/<str:code>", views.certificate_verify, name="certificate-verify"),
    path("reviews/", views.review_session, name="review-session"),
    path("reviews/<int:pk>/check", views.review_check, name="review-check"),
    path("reviews/<int:pk>/rate", views.review_rate, name="review-rate"),
]
