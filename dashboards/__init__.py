"""Step-7 review views (Streamlit). They read only the published copy of the warehouse."""
