"""The monthly review pack on schedule (flow.py); the pack itself is drawn by
dashboards/report/, with the app's labels and figure functions."""
