"""Makes the modules shared by unit and integration tests (secret_plants.py) importable from both: pytest
puts the folder of a conftest.py on sys.path."""
