"""Writers that turn an Article into files other programs read (Markdown, HTML, EPUB)."""
