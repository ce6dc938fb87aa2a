"""Domain errors of the courses app. Each reads as a fact and carries a message fit for the user."""

from core.errors import DomainError


class CoursesError(DomainError):
    """A request the courses domain refuses."""


class CatalogFileError(CoursesError):
    """The catalog file is malformed: the message names the record and the field."""

    code = "catalog_invalid"


class PathNotActive(CoursesError):
    """The path is retired or closed: no new enrollments or exams."""

    status = 409
    code = "path_not_active"
