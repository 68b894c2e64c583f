"""Feed subscriptions: parsing feeds (:mod:`.parse`), finding them on pages
(:mod:`.discover`) and refreshing them politely (:mod:`.refresh`). Storage lives in
:mod:`reader.library.feeds`; the command is ``reader feed`` (:mod:`reader.cli.feed_command`).
This package never imports textual."""
