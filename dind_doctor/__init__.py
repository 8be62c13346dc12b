"""dind-doctor: diagnoses containers that start containers (Docker-in-Docker, Docker-out-of-Docker)."""

__version__ = "0.1.0"
