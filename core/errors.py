"""The one base class of every error the domain raises on purpose."""


class DomainError(Exception):
    """A request the domain refuses, with a message fit for the user.

    `status` and `code` are what the API answers with (core.api.errors); pages show the message.
    Subclasses read as facts (`AttemptClosed`, `PathNotActive`) and set both.
    """

    status = 400
    code = "invalid"
