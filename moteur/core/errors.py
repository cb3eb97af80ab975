"""The exception taxonomy: errors grouped by what the caller must do.

::

    MoteurError                      base; ``exit_code`` is what the CLI exits with
    ├── UsageError (2)               bad command line, REF, date, config file, mapping or input file
    │   └── ConfigError (2)          a config value or file that cannot be used
    ├── AuthError (3)                the tool rejected the credentials (401)
    │   └── PermissionDenied (3)     the credentials are valid but may not do this (403)
    ├── NotFound (2)                 a board, project or item that does not exist or is not shared
    ├── RemoteError (1)              the tool failed; ``retriable`` says if trying again may help
    │   └── RateLimited (1)          429 / complexity budget; ``retry_after`` seconds when known
    ├── SkippableError (1)           one item could not be read or written; the run goes on
    ├── Refusal (1)                  a dangerous situation the run will not act on (board emptied, lock held)
    │   └── LockHeld (1)             another run holds the board's lock
    └── StateError (2)               the state database cannot be used (unknown schema version…)

    KeyboardInterrupt
    └── Interrupted (130 / 143)      SIGINT / SIGTERM stopped the run (not a MoteurError: see below)

``Interrupted`` derives from ``KeyboardInterrupt``, not ``MoteurError``: raised from a signal handler or from
the callback a connector calls after each request, it must pass through every ``except MoteurError`` /
``except Exception`` of a connector (one catching it would turn a stop into a failed request and go on).

Every message is one or two lines that name the thing and the fix. None may carry a secret: connectors
scrub before raising (see ``connectors/http.py``), and the CLI is the one place errors become messages.
"""

from __future__ import annotations


class MoteurError(Exception):
    """Base of every error moteur raises on purpose."""

    exit_code: int = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class UsageError(MoteurError):
    exit_code = 2


class ConfigError(UsageError):
    pass


class AuthError(MoteurError):
    exit_code = 3


class PermissionDenied(AuthError):
    pass


class NotFound(MoteurError):
    exit_code = 2


class RemoteError(MoteurError):
    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, retriable: bool = False) -> None:
        super().__init__(message, hint=hint)
        self.retriable = retriable


class RateLimited(RemoteError):
    def __init__(self, message: str, *, retry_after: float | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint, retriable=True)
        self.retry_after = retry_after


class SkippableError(MoteurError):
    exit_code = 1


class Refusal(MoteurError):
    exit_code = 1


class LockHeld(Refusal):
    pass


class StateError(MoteurError):
    exit_code = 2


class Interrupted(KeyboardInterrupt):
    """A signal stopped the run: exit 130 for SIGINT (Ctrl-C), 143 for SIGTERM (a cron timeout, systemd).

    The shell convention 128 + signal number, so a supervisor reads the cause from the exit code.
    """

    def __init__(self, signum: int, message: str | None = None) -> None:
        self.signum = signum
        self.exit_code = 128 + signum
        self.message = message or f"interrupted by {_signal_name(signum)}"
        super().__init__(self.message)


def _signal_name(signum: int) -> str:
    import signal  # a name for the message only; core stays free of signal handling

    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"
