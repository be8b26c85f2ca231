"""The Streamlit dashboard over the marts (optional extra: `uv sync --extra dashboard`)."""
