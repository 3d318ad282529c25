"""Dashboard views: pages (read), actions (POST through ``jobs.services``), feeds (JSON, SVG)."""
