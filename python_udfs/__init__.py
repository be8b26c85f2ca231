"""Python functions for the warehouse MMM: pure transforms SQL can call, and the procedures dbt Python models run."""
