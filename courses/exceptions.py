"""Domain errors of the courses app. Each reads as a fact and carries a message fit for the user.

`status` and `code` are what the API answers with (lms/api_errors.py), as in quizzes.exceptions.
"""


class CoursesError(Exception):
    """Base class: a request the domain refuses."""

    status = 400
    code = "invalid"


class CatalogFileError(CoursesError):
    """The catalog file is malformed: the message names the record and the field."""

    code = "catalog_invalid"


class PathNotActive(CoursesError):
    """The path is retired or closed: no new enrollments or exams."""

    status = 409
    code = "path_not_active"
