"""The feedback app's pages: ``public`` (the form, the tracking page, the published answers and open data)
and ``staff`` (the queue, the register entry, the item page and its actions)."""
