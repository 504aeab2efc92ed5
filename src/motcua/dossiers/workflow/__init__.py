"""Internal processing of a received dossier (issue 6): the steps of the procedure version's internal
process, assignment and work queues, consultation, supplement during processing, refusal after
appraisal, approval and signature, results, payment, apology and the return of the result.

``models`` holds the rows (imported by ``motcua.dossiers.models`` so Django registers them),
``services`` every write, ``selectors`` the queues and the dossier page, ``late`` the periodic tick,
``classification`` the one adapter to the indicator 2.1 rule of ``motcua.stats``.
"""
