from django.urls import path
from rest_framework.routers import SimpleRouter

from .views import (
    CertificationPathViewSet,
    CourseViewSet,
    EnrollmentViewSet,
    LessonViewSet,
    TokensView,
    TokenView,
)

router = SimpleRouter()
router.register("paths", CertificationPathViewSet, basename="api-path")
router.register("courses", CourseViewSet, basename="api-course")
router.register("lessons", LessonViewSet, basename="api-lesson")
router.register("enrollments", EnrollmentViewSet, basename="api-enrollment")

urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("auth/tokens/", TokensView.as_view(), name="api-tokens"),
    *router.urls,
]
