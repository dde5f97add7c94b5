"""The few named exceptions of welfare-kg; the CLI turns them into messages and exit codes."""

from __future__ import annotations

__all__ = [
    "EndpointError",
    "InputError",
    "QueryError",
    "ReportFormatError",
    "ValidationFailure",
    "VocabularyError",
    "WelfareKGError",
]


class WelfareKGError(Exception):
    """Base of every error that is the user's input or environment, not a bug."""

    exit_code = 2


class InputError(WelfareKGError):
    """A file cannot be read or decoded, or an argument is not usable."""


class ReportFormatError(InputError):
    """The report text does not have the progress-table layout."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else path
        super().__init__(f"{where}: {message}")
        self.path = path
        self.line = line
        self.message = message

    def __reduce__(self):  # so the error crosses from a worker process to the CLI intact
        return (type(self), (self.path, self.line, self.message))


class VocabularyError(InputError):
    """A data file (bodies, outline, corrections …) is missing or malformed."""


class QueryError(WelfareKGError):
    """A query is unknown, malformed, or given a bad parameter."""


class EndpointError(WelfareKGError):
    """A SPARQL endpoint is unreachable or answered with an error."""


class ValidationFailure(WelfareKGError):
    """The graph does not conform to the SHACL shapes."""

    exit_code = 1
