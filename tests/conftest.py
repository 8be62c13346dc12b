"""Makes the modules shared by unit and integration tests (secret_plants.py) importable from both: pytest
puts the folder of a conftest.py on sys.path. And gives the session's child runs a compile cache of their own."""
import os

import pytest


@pytest.fixture(scope="session", autouse=True)
def compile_cache_of_this_session(tmp_path_factory):
    """The program runs as a child in many tests: its compile cache (dind_doctor/compile_cache.py) goes to a
    folder of this session, never to the user's own, so that no run depends on what an earlier one left."""
    if "DIND_DOCTOR_CACHE_DIR" in os.environ:  # chosen by whoever runs the tests (empty: none)
        yield
        return
    os.environ["DIND_DOCTOR_CACHE_DIR"] = str(tmp_path_factory.mktemp("compile-cache"))
    try:
        yield
    finally:
        os.environ.pop("DIND_DOCTOR_CACHE_DIR", None)
