"""Integrity analytics and lateness prediction (issue 22): reads the dossier event history, writes no dossier.

The app sits on the floor of feedback, surveys and integrations (../shared/DESIGN.md Layout): it may read
``dossiers``, ``catalogue``, ``calendars`` and ``accounts``; the statistics, the portal and the scorecards
may read it. Whatever it shows in a lower app's screens (the work queues) goes through a hook that the
lower app offers and this app registers in ``InsightConfig.ready``.
"""
