"""The documents app keeps no rows: the issued legal forms are ``motcua.dossiers.models.IssuedForm`` (the
dossiers app decides which form applies and issues it; this app renders what it is given)."""
