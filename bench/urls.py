"""The app's URLs plus /bench/floor/: one INSERT, the floor that bench/hot_path.py compares with."""

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from lms.urls import urlpatterns as app_urls


@csrf_exempt
def floor(request: HttpRequest) -> JsonResponse:
    """Insert one row, as cheaply as Django serves anything that writes."""
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO bench_floor (at) VALUES (now())")
    return JsonResponse({"saved": True})


urlpatterns = [path("bench/floor/", floor), *app_urls]
