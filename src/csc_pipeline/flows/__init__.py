"""The flows: compose the steps below (drops, load, validate, transform, reports) into the
night, an operator's acceptance and Airflow runs. They decide nothing a lower layer owns."""
