"""Airflow's DockerOperator, read statically: DAG files (ast, never imported), the literal values of their
arguments, and the providers-docker version the project will run."""
