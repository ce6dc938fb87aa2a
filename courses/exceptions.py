"""Domain errors of the courses app. Each reads as a fact; views map them to 4xx responses."""


class CoursesError(Exception):
    """Base class: a request the domain refuses, with a message fit for the user."""


class CatalogFileError(CoursesError):
    """The catalog file is malformed: the message names the record and the field."""


class PathNotActive(CoursesError):
    """The path is retired or closed: no new enrollments or exams."""
