"""Figures as pictures: decoding, caching and loading images for the terminal.

Kept apart from the UI so the slow, failure-prone parts (network, Pillow, disk) can be
tested without a screen, and so the UI only ever sees finished rows of cells or
"no picture" — never an exception.
"""
