from django.urls import path
from rest_framework.routers import SimpleRouter

from .views.attempts import AttemptViewSet
from .views.cohorts import CohortCSVView, CohortView
from .views.exams import ExamViewSet
from .views.item_stats import ItemStatsView
from .views.progress import HistoryView, ProgressView
from .views.reviews import ReviewDetailView, ReviewListView
from .views.xapi import XAPIStatementsView

router = SimpleRouter()
router.register("exams", ExamViewSet, basename="api-exam")
router.register("attempts", AttemptViewSet, basename="api-attempt")

urlpatterns = [
    path("progress/", ProgressView.as_view(), name="api-progress"),
    path("progress/history/", HistoryView.as_view(), name="api-progress-history"),
    path("banks/<slug:slug>/item-stats/", ItemStatsView.as_view(), name="api-bank-item-stats"),
    path("courses/<str:slug>/cohort/", CohortView.as_view(), name="api-course-cohort"),
    path("courses/<str:slug>/cohort.csv", CohortCSVView.as_view(), name="api-course-cohort-csv"),
    path("reviews/", ReviewListView.as_view(), name="api-reviews"),
    path("reviews/<str:pk>/", ReviewDetailView.as_view(), name="api-review-detail"),
    path("xapi/statements/", XAPIStatementsView.as_view(), name="api-xapi-statements"),
    *router.urls,
]
