"""The article itself: its renderer (blocks to lines), the body, header and status line."""
