"""Online payment of fees and charges through the DVCQG payment platform or a provincial gateway
(docs/integrations-payments.md): the provider client (``providers``), the writes (``services``), the reads
(``selectors``), the pages (``views``) and the platform's double (``double``)."""
