"""The side panes beside the text: contents and figures, and one figure full size."""
