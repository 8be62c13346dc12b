"""The one base class of dind-doctor's own errors.

Every error the tool raises on purpose (no engine, a probe that could not run, a missing image, a sync that
failed, bad input to a command) derives from DindDoctorError: its message is written for the user, so a
command prints it as it is, never a traceback. Anything else reaching a command is a bug.
"""
from __future__ import annotations


class DindDoctorError(Exception):
    """An error of dind-doctor's own; the message says what happened in a user's words."""


class UsageProblem(DindDoctorError):
    """Bad input from the user (exit 2): reported as a message, never a traceback."""
