"""The quizzes API, one module per resource. Thin views: serializers parse, services write,
selectors read; domain errors become JSON in core/api/errors.py."""
