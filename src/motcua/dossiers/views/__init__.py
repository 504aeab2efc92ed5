"""Staff screens of the dossiers, mounted at /ho-so/, one module per screen: the desk's intake
(``desk``), my queue and the search (``queue``), the dossier page (``detail``) and the actions
(``actions``, every one from the registry ``motcua.dossiers.actions``).

Server-rendered; every flow works without JavaScript (plain forms, POST-redirect-GET). Thin: parse, call one
selector or service, render. Nothing here writes to a model: every change goes through a service, which
checks the permission again and refuses with a ``DomainError`` that changes nothing.
"""
