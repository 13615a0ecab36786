"""Ways to run the pipeline as a deployment: a local Airflow without Docker."""
