"""Many articles → ONE EPUB 3 book (placeholder, filled in below)."""
