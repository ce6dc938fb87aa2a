from rest_framework.routers import SimpleRouter

from .views import CertificationPathViewSet

router = SimpleRouter()
router.register("paths", CertificationPathViewSet, basename="api-path")

urlpatterns = router.urls
