"""The Qt desktop app. The only package that may import Qt."""
