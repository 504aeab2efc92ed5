"""Starting the services of a province's deployment on one machine: the model of the real topology that
``make cluster`` runs (docs/operations.md), and the real servers the integration tests talk to."""
