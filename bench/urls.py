"""The app's URLs plus the floors the benchmarks compare with.

/bench/floor/       one INSERT (bench/hot_path.py)
/bench/floor/read/  one SELECT by primary key (bench/progress.py)
"""

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


def read_floor(request: HttpRequest) -> JsonResponse:
    """Read one row by its primary key, as cheaply as Django serves anything that reads."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, username FROM auth_user WHERE id = %s", [request.GET.get("id", 1)])
        row = cursor.fetchone()
    return JsonResponse({"id": row[0] if row else None})


urlpatterns = [path("bench/floor/", floor), path("bench/floor/read/", read_floor), *app_urls]
