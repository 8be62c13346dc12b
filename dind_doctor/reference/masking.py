"""Secret values never reach the screen: every line run-reference prints goes through a Masker."""
from __future__ import annotations

import re
from typing import Iterable, Mapping

MASK = "****"
SECRET_NAME = re.compile(r"PASS|SECRET|TOKEN|KEY|CRED|PRIVATE", re.IGNORECASE)
URL_PASSWORD = re.compile(r"://[^:/@\s]*:([^@\s]+)@")


class Masker:
    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: set[str] = set()
        self.add(*secrets)

    def add(self, *secrets: str) -> None:
        # Very short values would mask ordinary words; nobody's password is 3 characters long.
        self._secrets.update(s for s in secrets if s and len(s) >= 4)

    def add_env(self, values: Mapping[str, str | None]) -> None:
        """The secret values of an .env file: secret-named keys, and passwords inside URLs."""
        for name, value in values.items():
            if not value:
                continue
            if SECRET_NAME.search(name):
                self.add(value)
            for match in URL_PASSWORD.finditer(value):
                self.add(match.group(1))

    def __call__(self, text: str) -> str:
        for secret in sorted(self._secrets, key=len, reverse=True):  # longest first: no partial leftovers
            text = text.replace(secret, MASK)
        return URL_PASSWORD.sub(lambda m: m.group(0).replace(m.group(1), MASK), text)
